/* Deploy settings from an eb CLI project's .elasticbeanstalk/config.yml. */
#include "ebctl/deploy.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>

/* A copy of v that lives as long as the settings. */
static const char *own(struct deploy_settings *s, const char *v)
{
	strlist_add(&s->owned, v);
	return s->owned.v[s->owned.n - 1];
}

int deploy_settings_load_eb_config(struct deploy_settings *s)
{
	struct ebcli_project p;
	int rc = ebcli_project_load(s->dir, &p, s->sink);
	if (rc)
		return rc;
	if (p.app && !s->app)
		s->app = own(s, p.app);
	if (p.env && !s->envs.n)
		strlist_add(&s->envs, p.env);
	if (p.region && !s->region)
		s->region = own(s, p.region);
	if (p.profile && !s->profile) {
		s->profile = own(s, p.profile);
		s->profile_from = ".elasticbeanstalk/config.yml";
	}
	if (p.artifact && !s->bundle) {
		/* Relative to the project directory, as the eb CLI reads it. */
		s->bundle = own(s, p.artifact[0] == '/' ? xstrdup(p.artifact)
		                                        : xasprintf("%s/%s", s->dir, p.artifact));
	}
	ebcli_project_cleanup(&p);
	return 0;
}

void deploy_settings_cleanup(struct deploy_settings *s)
{
	strlist_cleanup(&s->envs);
	strlist_cleanup(&s->owned);
}
