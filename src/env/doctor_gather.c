/* ebctl doctor: read what the checks need (see ebctl/doctor.h). */
#include <stdlib.h>
#include <string.h>

#include "ebctl/aws.h"
#include "ebctl/doctor.h"

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
	eb_environments_free(&envs);
	eb_env_health_free(&h);
	strlist_free(&ids);
	strlist_free(&subnets);
	ec2_instances_free(&inst);
	return rc;
}
