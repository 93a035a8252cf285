/* ebctl doctor: read what the checks need (see ebctl/doctor.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "ebctl/aws.h"
#include "ebctl/dockerrun.h"
#include "ebctl/doctor.h"
#include "ebctl/s3.h"

/* Largest source bundle doctor reads back (EB's own limit is 500 MB). */
#define BUNDLE_MAX (512u << 20)

/* The property a container environment entry expects: an empty value
 * ("fill me from the environment") or a ${NAME} placeholder; NULL otherwise. */
static char *env_reference(const struct dr_env *e)
{
	size_t n;
	if (!e->name)
		return NULL;
	if (!e->value || !*e->value)
		return xstrdup(e->name);
	n = strlen(e->value);
	if (n > 3 && e->value[0] == '$' && e->value[1] == '{' && e->value[n - 1] == '}')
		return xstrndup(e->value + 2, n - 3);
	return NULL;
}

/* Dockerrun.aws.json out of the zip at path into b; 0, or -1 with why. */
static int zip_dockerrun(const char *path, struct buf *b, char *why, size_t whylen)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
	zip_file_t *f;
	char chunk[8192];
	zip_int64_t r;
	if (!z) {
		snprintf(why, whylen, "bundle is not a zip archive");
		return -1;
	}
	if (!(f = zip_fopen(z, "Dockerrun.aws.json", 0))) {
		snprintf(why, whylen, "is missing from the bundle");
		zip_discard(z);
		return -1;
	}
	while ((r = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		if (b->len + (size_t)r > DR_MAX_FILE_SIZE) {
			snprintf(why, whylen, "is larger than %u bytes", DR_MAX_FILE_SIZE);
			r = -1;
			break;
		}
		buf_add(b, chunk, (size_t)r);
	}
	zip_fclose(f);
	zip_discard(z);
	if (r < 0 && !*why)
		snprintf(why, whylen, "cannot be read from the bundle");
	return r < 0 ? -1 : 0;
}

/* The running version's bundle from S3, its Dockerrun validated. Failures
 * become the check's message, not an error of the whole run. */
static void read_dockerrun(struct aws_client *c, const char *app, const char *label,
                           struct doctor_input *in)
{
	struct eb_app_versions v = {NULL, 0};
	struct aws_error err;
	struct buf zipb = BUF_INIT, doc = BUF_INIT;
	struct dr_document parsed;
	struct dr_report rep;
	struct dr_companions comp = {false, false};
	const char *labels[1] = {label};
	char *path = NULL, why[256] = "";
	size_t i, j;
	int fd;

	if (!label)
		return;
	in->dockerrun_read = true;
	dr_document_init(&parsed);
	dr_report_init(&rep);
	aws_error_clear(&err);
	if (eb_describe_application_versions(c, app, labels, 1, &v, &err) || v.n == 0 ||
	    !v.v[0].bucket || !v.v[0].key) {
		in->dockerrun_error =
		    xasprintf("cannot be found: version '%s' has no bundle", label);
		goto out;
	}
	if (s3_get_object(c, v.v[0].bucket, v.v[0].key, &zipb, BUNDLE_MAX, &err)) {
		char msg[1024];
		in->dockerrun_error =
		    xasprintf("cannot be read: %s", aws_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	path = xasprintf("%s/ebctl-doctor-XXXXXX",
	                 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(path)) < 0) {
		in->dockerrun_error = xstrdup("cannot be read: no temporary file");
		goto out;
	}
	if (write(fd, zipb.ptr, zipb.len) != (ssize_t)zipb.len) {
		close(fd);
		unlink(path);
		in->dockerrun_error =
		    xstrdup("cannot be read: the temporary file cannot be written");
		goto out;
	}
	close(fd);
	if (zip_dockerrun(path, &doc, why, sizeof(why))) {
		unlink(path);
		/* a single-container or compose bundle has no Dockerrun to check */
		if (strstr(why, "missing")) {
			in->dockerrun_read = false;
			goto out;
		}
		in->dockerrun_error = xstrdup(why);
		goto out;
	}
	unlink(path);
	if (dockerrun_validate_buffer("Dockerrun.aws.json", doc.ptr ? doc.ptr : "", doc.len, &comp,
	                              &parsed, &rep) != 0) {
		in->dockerrun_error = xasprintf("has %zu error%s (ebctl validate shows them)",
		                                rep.errors, rep.errors == 1 ? "" : "s");
		goto out;
	}
	in->dockerrun_ok = true;
	for (i = 0; i < parsed.ncontainers; i++)
		for (j = 0; j < parsed.containers[i].nenv; j++) {
			char *ref = env_reference(&parsed.containers[i].env[j]);
			if (ref && !strlist_has(&in->dockerrun_refs, ref))
				strlist_add(&in->dockerrun_refs, ref);
			free(ref);
		}
out:
	free(path);
	dr_report_cleanup(&rep);
	dr_document_cleanup(&parsed);
	buf_cleanup(&zipb);
	buf_cleanup(&doc);
	eb_app_versions_cleanup(&v);
}

static void add_unique(struct strlist *l, const char *s)
{
	if (s && *s && !strlist_has(l, s))
		strlist_add(l, s);
}

int doctor_gather(struct aws_client *c, const char *app, const char *env, struct doctor_input *in,
                  struct aws_error *err)
{
	struct eb_environments envs = {NULL, 0};
	struct eb_env_health h;
	struct strlist ids = {NULL, 0}, subnets = {NULL, 0};
	struct ec2_instances inst = {NULL, 0};
	const struct eb_option_setting *s;
	const char *names[1] = {env};
	int rc = -1;
	size_t i, j;

	memset(&h, 0, sizeof(h));
	in->env_name = env;
	if (eb_describe_environments(c, app, names, 1, false, &envs, err))
		goto out;
	if (envs.n) {
		in->status = envs.v[0].status ? xstrdup(envs.v[0].status) : NULL;
		in->health = envs.v[0].health ? xstrdup(envs.v[0].health) : NULL;
		in->health_status =
		    envs.v[0].health_status ? xstrdup(envs.v[0].health_status) : NULL;
	}
	/* enhanced health gives the causes; basic health has none to give */
	if (eb_describe_environment_health(c, env, &h, err) == 0) {
		for (i = 0; i < h.ncauses; i++)
			strlist_add(&in->causes, h.causes[i]);
	}
	aws_error_clear(err);
	if (eb_describe_configuration_settings(c, app, env, &in->settings, err))
		goto out;
	read_dockerrun(c, app, envs.n ? envs.v[0].version_label : NULL, in);
	if (eb_describe_environment_resources(c, env, &ids, err))
		goto out;
	if (ec2_describe_instances(c, (const char *const *)ids.v, ids.n, &inst, err))
		goto out;
	for (i = 0; i < inst.n; i++) {
		for (j = 0; j < inst.v[i].groups.n; j++)
			add_unique(&in->env_groups, inst.v[i].groups.v[j]);
		add_unique(&subnets, inst.v[i].subnet);
		if (!in->env_vpc && inst.v[i].vpc)
			in->env_vpc = xstrdup(inst.v[i].vpc);
	}
	s = eb_option_settings_find(&in->settings, DOCTOR_VPC_NS, "VPCId");
	if (s && s->value && *s->value) {
		free(in->env_vpc);
		in->env_vpc = xstrdup(s->value);
	} else if (!in->env_vpc && ec2_default_vpc(c, &in->env_vpc, err)) {
		goto out;
	}
	if (ec2_subnet_cidrs(c, (const char *const *)subnets.v, subnets.n, &in->env_cidrs, err))
		goto out;
	if (ec2_describe_security_groups(c, NULL, 0, &in->groups, err))
		goto out;
	/* the option names groups by id or by name (names are per VPC) */
	s = eb_option_settings_find(&in->settings, DOCTOR_LAUNCH_NS, "SecurityGroups");
	if (s && s->value) {
		char *v = xstrdup(s->value), *tok, *save = NULL;
		for (tok = strtok_r(v, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			const char *id = NULL;
			for (i = 0; i < in->groups.n && !id; i++) {
				const struct ec2_group *g = &in->groups.v[i];
				if ((g->id && !strcmp(g->id, tok)) ||
				    (g->name && !strcmp(g->name, tok) &&
				     (!in->env_vpc || !g->vpc || !strcmp(g->vpc, in->env_vpc))))
					id = g->id;
			}
			add_unique(&in->option_groups, id ? id : tok);
			add_unique(&in->env_groups, id ? id : tok);
		}
		free(v);
	}
	if (data_describe_all(c, &in->resources, err))
		goto out;
	rc = 0;
out:
	eb_environments_cleanup(&envs);
	eb_env_health_cleanup(&h);
	strlist_cleanup(&ids);
	strlist_cleanup(&subnets);
	ec2_instances_cleanup(&inst);
	return rc;
}
