/* Pruning application versions: never one that an environment runs, nor the
 * version it ran before (its rollback target); never a bundle another kept
 * version points at. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

/* Whether a version that stays points at bucket/key. */
static bool bundle_shared(const struct eb_app_versions *vs, const bool *drop, size_t self)
{
	size_t i;
	const struct eb_app_version *v = &vs->v[self];
	for (i = 0; i < vs->n; i++)
		if (i != self && !drop[i] && vs->v[i].bucket && vs->v[i].key && v->bucket &&
		    v->key && !strcmp(vs->v[i].bucket, v->bucket) && !strcmp(vs->v[i].key, v->key))
			return true;
	return false;
}

/* Newest first, by creation time. */
static int newest_first(const void *a, const void *b)
{
	const struct eb_app_version *x = a, *y = b;
	return x->created < y->created ? 1 : x->created > y->created ? -1 : 0;
}

int deploy_prune(struct aws_client *c, const struct deploy_prune_opts *po,
                 struct deploy_prune_result *out, struct aws_error *err)
{
	struct eb_app_versions vs = {NULL, 0};
	struct eb_environments envs = {NULL, 0};
	struct strlist protect = {NULL, 0};
	bool *drop = NULL;
	int64_t cutoff = po->older_than_s ? time_now() - (int64_t)po->older_than_s : INT64_MAX;
	size_t i, kept = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (eb_describe_application_versions(c, po->app, NULL, 0, &vs, err) ||
	    eb_describe_environments(c, po->app, NULL, 0, false, &envs, err))
		goto done;
	/* what runs, and what each environment would roll back to */
	for (i = 0; i < envs.n; i++) {
		char *prev = NULL, why[256];
		if (envs.v[i].version_label)
			strlist_add(&protect, envs.v[i].version_label);
		if (op_previous_label(c, po->app, envs.v[i].name, envs.v[i].version_label, &prev,
		                      why, sizeof(why), err))
			goto done;
		if (prev)
			strlist_add(&protect, prev);
		free(prev);
	}
	qsort(vs.v, vs.n, sizeof(*vs.v), newest_first);
	drop = xcalloc(vs.n ? vs.n : 1, sizeof(*drop));
	for (i = 0; i < vs.n; i++) {
		const struct eb_app_version *v = &vs.v[i];
		if (v->label && strlist_has(&protect, v->label))
			strlist_add(&out->protected, v->label);
		else if (kept < po->keep)
			kept++;
		else if (v->created < cutoff)
			drop[i] = true;
	}
	out->remaining = vs.n;
	for (i = 0; i < vs.n; i++) {
		const struct eb_app_version *v = &vs.v[i];
		bool with_bundle;
		if (!drop[i])
			continue;
		with_bundle = po->delete_bundles && !bundle_shared(&vs, drop, i);
		if (!po->dry_run &&
		    eb_delete_application_version(c, po->app, v->label, with_bundle, err))
			goto done;
		strlist_add(with_bundle ? &out->deleted_with_bundle : &out->deleted, v->label);
		out->remaining--;
	}
	rc = 0;
done:
	free(drop);
	strlist_cleanup(&protect);
	eb_app_versions_cleanup(&vs);
	eb_environments_cleanup(&envs);
	return rc;
}

void deploy_prune_result_cleanup(struct deploy_prune_result *r)
{
	strlist_cleanup(&r->deleted);
	strlist_cleanup(&r->deleted_with_bundle);
	strlist_cleanup(&r->protected);
}
