/* An environment's version history: the version it ran before the current one. */
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An event that says a version finished deploying. */
static bool deployed_event(const struct eb_event *e)
{
	return e->version_label && e->message &&
	       (strcasestr(e->message, "New application version was deployed") ||
	        strcasestr(e->message, "Successfully launched environment") ||
	        strcasestr(e->message, "completed successfully"));
}

int op_previous_label(struct aws_client *c, const char *app, const char *env, const char *running,
                      char **label, char *why, size_t whylen, struct aws_error *err)
{
	struct eb_events_filter f;
	struct eb_events evs = {NULL, 0, NULL};
	struct eb_app_versions vs = {NULL, 0};
	int64_t running_created = 0;
	size_t i;

	*label = NULL;
	memset(&f, 0, sizeof(f));
	f.app = app;
	f.env = env;
	/* the environment's own record: the newest deployment of another version */
	if (eb_describe_events_pages(c, &f, 5, &evs, err))
		return -1;
	for (i = 0; i < evs.n && !*label; i++) {
		const struct eb_event *e = &evs.v[i];
		if (deployed_event(e) && (!running || strcmp(e->version_label, running) != 0)) {
			char when[32];
			time_format_iso8601(e->date, when, sizeof(when));
			*label = xstrdup(e->version_label);
			snprintf(why, whylen, "the version it ran before (deployed %s)", when);
		}
	}
	eb_events_cleanup(&evs);
	if (*label)
		return 0;
	/* events are kept for a while only: the newest version created before the running one */
	if (eb_describe_application_versions(c, app, NULL, 0, &vs, err))
		return -1;
	for (i = 0; running && i < vs.n; i++)
		if (vs.v[i].label && !strcmp(vs.v[i].label, running))
			running_created = vs.v[i].created;
	for (i = 0; i < vs.n && !*label; i++) {
		const struct eb_app_version *v = &vs.v[i];
		if (v->label && (!running || strcmp(v->label, running) != 0) &&
		    (!running_created || v->created < running_created)) {
			*label = xstrdup(v->label);
			snprintf(
			    why, whylen,
			    "the newest version created before '%s' (its events no longer tell)",
			    running ? running : "the running one");
		}
	}
	eb_app_versions_cleanup(&vs);
	return 0;
}
