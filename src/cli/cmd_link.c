/* ebctl link: set the environment's data-service properties from the real
 * RDS and ElastiCache endpoints, and open the port between them. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/doctor.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/watch.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Read a password from the terminal without echo; NULL when there is no
 * terminal or nothing was typed. Caller frees with free_secret. */
static char *prompt_password(const char *what)
{
	struct termios old, quiet;
	char line[512];
	char *nl, *out = NULL;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	FILE *tty;
	if (fd < 0)
		return NULL;
	if (!isatty(fd) || !(tty = fdopen(fd, "r+"))) {
		close(fd);
		return NULL;
	}
	fprintf(tty, "Password for %s (not echoed): ", what);
	fflush(tty);
	tcgetattr(fd, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	if (fgets(line, sizeof(line), tty)) {
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
		if (*line)
			out = xstrdup(line);
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	fflush(tty); /* between the read and the write, as C requires */
	fprintf(tty, "\n");
	memset(line, 0, sizeof(line));
	fclose(tty);
	return out;
}

static const char *current(const struct doctor_input *in, const char *ns, const char *name)
{
	const struct eb_option_setting *s = eb_option_settings_find(&in->settings, ns, name);
	return s ? (s->value ? s->value : "") : NULL;
}

/* Add ns:name=value to set unless the environment has it already. */
static void want(struct eb_option_settings *set, struct buf *summary, const struct doctor_input *in,
                 const char *ns, const char *name, const char *value)
{
	const char *have = current(in, ns, name);
	if (!value || (have && !strcmp(have, value)))
		return;
	eb_option_settings_add(set, ns, name, value, NULL);
	buf_printf(summary, "%s%s", summary->len ? ", " : "", name);
}

/* Open port on r to the environment when no rule does; returns 0, or a status. */
static int authorize(struct aws_client *c, const struct doctor_input *in,
                     const struct data_resource *r, int port, bool apply, int *added)
{
	struct doctor_net_result nr;
	struct aws_error err;
	const char *src = in->option_groups.n ? in->option_groups.v[0]
	                  : in->env_groups.n  ? in->env_groups.v[0]
	                                      : NULL;
	bool done = false;

	doctor_net_eval(&in->groups, &r->groups, doctor_resource_vpc(in, r), &in->env_groups,
	                in->env_vpc, &in->env_cidrs, port, &nr);
	if (nr.verdict == DOCTOR_NET_SELF || nr.verdict == DOCTOR_NET_GROUP ||
	    nr.verdict == DOCTOR_NET_CIDR) {
		notef("%s %s: port %d is already open to the environment", data_kind_name(r->kind),
		      r->id, port);
		return 0;
	}
	if (nr.verdict == DOCTOR_NET_VPC) {
		/* the properties are still right; peering is the user's call */
		(apply ? errorf : warnf)("%s %s is in %s, the environment in %s: no security-group "
		                         "rule can connect them",
		                         data_kind_name(r->kind), r->id, doctor_resource_vpc(in, r),
		                         in->env_vpc);
		return apply ? EBCTL_ERR_INVALID : 0;
	}
	if (!src || !r->groups.n) {
		errorf("%s %s: no security group to %s", data_kind_name(r->kind), r->id,
		       src ? "add a rule to" : "allow (the environment has no instances)");
		return EBCTL_ERR_INVALID;
	}
	if (!apply) {
		notef("%s %s: no inbound rule allows port %d from the environment; to add one:",
		      data_kind_name(r->kind), r->id, port);
		out_line("aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp "
		         "--port %d "
		         "--source-group %s\n",
		         r->groups.v[0], port, src);
		return 0;
	}
	notef("adding rule: %s allows tcp port %d from %s", r->groups.v[0], port, src);
	aws_error_clear(&err);
	if (ec2_authorize_ingress(c, r->groups.v[0], port, src, &done, &err))
		return cli_aws_fail(&err);
	if (done)
		(*added)++;
	else
		notef("the rule exists already");
	return 0;
}

int cmd_link(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "link", "--rds DBID [--redis CACHEID] [--secret-arn ARN] [--authorize] [--no-wait]",
	    "Sets PGHOST, PGPORT, PGDATABASE and PGUSER from the RDS instance (or Aurora\n"
	    "cluster) DBID and REDIS_HOST and REDIS_PORT from the ElastiCache cluster (or\n"
	    "replication group) CACHEID, in one configuration update, then waits like\n"
	    "setenv. The password: --secret-arn ARN (Secrets Manager or SSM Parameter\n"
	    "Store) becomes PGPASSWORD in aws:elasticbeanstalk:application:environmentsecrets;\n"
	    "without it, RDS's own managed secret when the instance has one; otherwise it\n"
	    "is asked for on the terminal (never echoed) and stored as a property.\n"
	    "When no inbound rule lets the environment reach a resource's port, prints the\n"
	    "aws CLI command that adds one; --authorize adds it (AuthorizeSecurityGroupIngress\n"
	    "on the resource's group from the environment's group, that port only),\n"
	    "printing the rule first. A second run changes nothing."};
	struct op_target t = {0};
	const char *rds = NULL, *redis = NULL, *secret_arn = NULL, *healthy = "Green";
	bool do_auth = false, no_wait = false;
	unsigned long timeout = 20 * 60;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_STRING("rds", 0, &rds, "DBID", "the RDS instance or cluster", NULL),
	    OPTION_STRING("redis", 0, &redis, "CACHEID",
	                  "the ElastiCache cluster or replication group", NULL),
	    OPTION_STRING("secret-arn", 0, &secret_arn, "ARN",
	                  "the database password's secret (Secrets Manager or SSM)", NULL),
	    OPTION_BOOL("authorize", 0, &do_auth, "add the missing security-group rule", NULL),
	    OP_UPDATE_WAIT_OPTS(no_wait, timeout, healthy),
	    OPTION_END,
	};
	struct doctor_input in;
	struct eb_option_settings set = {NULL, 0, 0};
	struct buf summary = BUF_INIT;
	const struct data_resource *db = NULL, *cache = NULL;
	struct aws_error err;
	char *password = NULL;
	char port[16];
	unsigned healthy_mask = 0;
	int rc, n, added = 0;

	memset(&in, 0, sizeof(in));
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("link", "unexpected argument '%s'", argv[1]);
	if (!rds && !redis)
		return usage_error("link", "give --rds DBID, --redis CACHEID or both");
	if (secret_arn && !str_starts_with(secret_arn, "arn:"))
		return usage_error("link",
		                   "--secret-arn wants an ARN (arn:aws:secretsmanager:... or "
		                   "arn:aws:ssm:...)");
	if ((rc = opts_healthy("link", healthy, &healthy_mask)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "link", OP_NEED_APP)))
		goto out;
	aws_error_clear(&err);
	if (doctor_gather(t.client, t.app, t.env, &in, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	if (rds && !(db = data_resources_find(&in.resources, DATA_RDS_INSTANCE, rds)) &&
	    !(db = data_resources_find(&in.resources, DATA_RDS_CLUSTER, rds))) {
		errorf("no RDS instance or cluster '%s' in region '%s'", rds,
		       aws_client_region(t.client));
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	if (redis && !(cache = data_resources_find(&in.resources, DATA_CACHE_CLUSTER, redis)) &&
	    !(cache = data_resources_find(&in.resources, DATA_CACHE_GROUP, redis))) {
		errorf("no ElastiCache cluster or replication group '%s' in region '%s'", redis,
		       aws_client_region(t.client));
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	if ((db && !db->neps) || (cache && !cache->neps)) {
		errorf("'%s' has no endpoint yet (is it still being created?)",
		       db && !db->neps ? db->id : cache->id);
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	if (db) {
		snprintf(port, sizeof(port), "%d", db->eps[0].port);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "PGHOST", db->eps[0].address);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "PGPORT", port);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "PGDATABASE", db->db_name);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "PGUSER", db->user);
		if (!secret_arn)
			secret_arn = db->secret_arn;
		if (secret_arn) {
			want(&set, &summary, &in, DOCTOR_SECRETS_NS, "PGPASSWORD", secret_arn);
		} else if (!current(&in, DOCTOR_SECRETS_NS, "PGPASSWORD") &&
		           !current(&in, DOCTOR_ENV_NS, "PGPASSWORD")) {
			if ((password = prompt_password(db->id)) != NULL)
				want(&set, &summary, &in, DOCTOR_ENV_NS, "PGPASSWORD", password);
			else
				notef("PGPASSWORD is not set: give --secret-arn ARN, or run link "
				      "on a "
				      "terminal to be asked for it");
		}
	}
	if (cache) {
		snprintf(port, sizeof(port), "%d", cache->eps[0].port);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "REDIS_HOST", cache->eps[0].address);
		want(&set, &summary, &in, DOCTOR_ENV_NS, "REDIS_PORT", port);
	}
	if (db && (rc = authorize(t.client, &in, db, db->eps[0].port, do_auth, &added)))
		goto out;
	if (cache && (rc = authorize(t.client, &in, cache, cache->eps[0].port, do_auth, &added)))
		goto out;
	if (do_auth)
		notef("%d security-group rule%s added", added, added == 1 ? "" : "s");
	if (set.n == 0) {
		notef("the properties of '%s' are already set from the endpoints", t.env);
		goto out;
	}
	rc = op_update_settings(&t, NULL, &set, NULL, buf_cstr(&summary), no_wait, timeout,
	                        healthy_mask);
out:
	free_secret(password);
	eb_option_settings_cleanup(&set);
	buf_cleanup(&summary);
	doctor_input_cleanup(&in);
	op_target_close(&t);
	return rc;
}
