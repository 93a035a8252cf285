/* Creating what a deploy needs and the account lacks: the application and
 * environments (ebctl create, deploy --create), after the checks that catch
 * what would make a creation fail ten minutes in. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/iam.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_INSTANCE_PROFILE "aws-elasticbeanstalk-ec2-role"
#define DEFAULT_SERVICE_ROLE     "aws-elasticbeanstalk-service-role"

/* The platform the new environments run: --platform, or the one the bundle needs. */
static int pick_platform(struct aws_client *c, const struct deploy_settings *s,
                         struct deploy_outcome *o)
{
	struct eb_platforms ps;
	struct aws_error err;
	const struct eb_platform *p;
	int version = o->validated ? o->diags.version : 0;
	const char *want = s->platform ? s->platform : deploy_platform_default(version);
	char why[1024];
	int rc = 0;

	if (!o->validated && !s->platform) {
		sink_error(
		    s->sink,
		    "creating from the existing version '%s': give --platform (its Dockerrun "
		    "is not read, so the platform it needs is not known)",
		    o->label);
		return EBCTL_ERR_USAGE;
	}
	aws_error_clear(&err);
	if (eb_list_platforms(c, NULL, &ps, &err)) {
		aws_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	p = deploy_platform_resolve(&ps, want, why, sizeof(why));
	if (!p) {
		sink_error(s->sink, "%s", why);
		rc = s->platform ? EBCTL_ERR_USAGE : EBCTL_ERR_AWS;
	} else if ((version || o->validated) && !deploy_platform_runs(p, version)) {
		sink_error(s->sink,
		           "a %s does not run on '%s %s': version 2 runs on an ECS platform, "
		           "version 1 and 3 and docker-compose.yml on a Docker platform [platform]",
		           version ? (version == 2   ? "version 2 Dockerrun.aws.json"
		                      : version == 1 ? "version 1 Dockerrun.aws.json"
		                                     : "version 3 Dockerrun.aws.json")
		                   : "docker-compose.yml bundle",
		           p->branch, p->version);
		rc = EBCTL_ERR_INVALID;
	} else {
		o->platform_arn = xstrdup(p->arn);
		sink_note(s->sink, "platform: %s %s%s%s", p->branch, p->version,
		          p->branch_state ? ", " : "", p->branch_state ? p->branch_state : "");
	}
	eb_platforms_cleanup(&ps);
	return rc;
}

/* IAM refuses the read (a CI role without iam:Get*): say so, do not stop. */
static bool iam_unreadable(const struct aws_error *err)
{
	return strstr(err->code, "AccessDenied") || err->http_status == 403;
}

static int check_roles(struct aws_client *c, const struct deploy_settings *s)
{
	const char *profile = s->instance_profile ? s->instance_profile : DEFAULT_INSTANCE_PROFILE;
	const char *role = s->service_role ? s->service_role : DEFAULT_SERVICE_ROLE;
	struct aws_error err;
	int nroles = 0, r;

	aws_error_clear(&err);
	r = iam_instance_profile_roles(c, profile, &nroles, &err);
	if (r < 0 && iam_unreadable(&err)) {
		sink_warn(s->sink,
		          "cannot read IAM to check the instance profile '%s' (%s): going on",
		          profile, err.code);
	} else if (r < 0) {
		aws_error_report(&err, s->sink);
		return aws_error_status(&err);
	} else if (r == 0 || nroles == 0) {
		sink_error(s->sink,
		           "the instance profile '%s' %s: the environment's instances would never "
		           "start. Create it with\n"
		           "  aws iam create-role --role-name %s --assume-role-policy-document "
		           "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		           "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:"
		           "AssumeRole\"}]}'\n"
		           "  aws iam attach-role-policy --role-name %s --policy-arn "
		           "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier\n"
		           "  aws iam attach-role-policy --role-name %s --policy-arn "
		           "arn:aws:iam::aws:policy/AWSElasticBeanstalkMulticontainerDocker\n"
		           "  aws iam create-instance-profile --instance-profile-name %s\n"
		           "  aws iam add-role-to-instance-profile --instance-profile-name %s "
		           "--role-name %s\n"
		           "or name another with --instance-profile",
		           profile, r == 0 ? "does not exist" : "has no role", profile, profile,
		           profile, profile, profile, profile);
		return EBCTL_ERR_INVALID;
	}
	aws_error_clear(&err);
	r = iam_role_exists(c, role, &err);
	if (r < 0 && iam_unreadable(&err)) {
		sink_warn(s->sink, "cannot read IAM to check the service role '%s' (%s): going on",
		          role, err.code);
	} else if (r < 0) {
		aws_error_report(&err, s->sink);
		return aws_error_status(&err);
	} else if (r == 0) {
		sink_error(
		    s->sink,
		    "the service role '%s' does not exist: Elastic Beanstalk needs it to manage "
		    "the environment. Create it with\n"
		    "  aws iam create-role --role-name %s --assume-role-policy-document "
		    "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		    "\"Principal\":{\"Service\":\"elasticbeanstalk.amazonaws.com\"},"
		    "\"Action\":\"sts:AssumeRole\"}]}'\n"
		    "  aws iam attach-role-policy --role-name %s --policy-arn "
		    "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth\n"
		    "  aws iam attach-role-policy --role-name %s --policy-arn "
		    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy\n"
		    "or name another with --service-role",
		    role, role, role, role);
		return EBCTL_ERR_INVALID;
	}
	return 0;
}

static int check_cname(struct aws_client *c, const struct deploy_settings *s, const char *prefix)
{
	struct aws_error err;
	char *fqdn = NULL;
	bool available = false;
	aws_error_clear(&err);
	if (eb_check_dns(c, prefix, &available, &fqdn, &err)) {
		aws_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	if (!available)
		sink_error(s->sink, "the CNAME '%s' is taken: give another --cname",
		           fqdn ? fqdn : prefix);
	free(fqdn);
	return available ? 0 : EBCTL_ERR_INVALID;
}

int deploy_create_checks(struct aws_client *c, const struct deploy_settings *s,
                         struct deploy_outcome *o, size_t ncreate)
{
	int rc;
	if (s->cname && ncreate > 1) {
		sink_error(s->sink, "--cname names one environment, and %zu are to be created",
		           ncreate);
		return EBCTL_ERR_USAGE;
	}
	if ((rc = pick_platform(c, s, o)))
		return rc;
	if (s->cname && (rc = check_cname(c, s, s->cname)))
		return rc;
	return check_roles(c, s);
}

int deploy_create_app(struct aws_client *c, const struct deploy_settings *s,
                      struct deploy_outcome *o)
{
	struct aws_error err;
	aws_error_clear(&err);
	if (eb_create_application(c, s->app, NULL, &err)) {
		aws_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	o->app_created = true;
	sink_note(s->sink, "created application '%s'", s->app);
	return 0;
}

int deploy_create_env(const struct deploy_settings *s, const char *platform_arn,
                      struct aws_client *c, struct watch_env *e, char **request_id)
{
	struct eb_option_settings opts = {NULL, 0, 0};
	struct eb_create_env ce;
	struct aws_error err;
	size_t i;
	int rc = 0;

	*request_id = NULL;
	for (i = 0; i < s->options.n; i++)
		eb_option_settings_add(&opts, s->options.v[i].ns, s->options.v[i].name,
		                       s->options.v[i].value, s->options.v[i].resource);
	if (s->instance_profile)
		eb_option_settings_add(&opts, "aws:autoscaling:launchconfiguration",
		                       "IamInstanceProfile", s->instance_profile, NULL);
	if (s->service_role)
		eb_option_settings_add(&opts, "aws:elasticbeanstalk:environment", "ServiceRole",
		                       s->service_role, NULL);
	memset(&ce, 0, sizeof(ce));
	ce.app = s->app;
	ce.env = e->name;
	ce.cname_prefix = s->cname;
	ce.worker = s->worker;
	ce.version_label = e->label;
	ce.platform_arn = platform_arn;
	ce.settings = opts.n ? &opts : NULL;
	ce.tags = s->tags.n ? &s->tags : NULL;
	aws_error_clear(&err);
	if (eb_create_environment(c, &ce, request_id, &err)) {
		aws_error_format(&err, e->reason, sizeof(e->reason));
		rc = aws_error_status(&err);
	} else {
		sink_note(s->sink, "%s: creating with '%s' (request %s)", e->name, e->label,
		          **request_id ? *request_id : "lost; following the environment");
	}
	eb_option_settings_cleanup(&opts);
	return rc;
}
