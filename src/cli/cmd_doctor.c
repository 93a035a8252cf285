/* ebctl doctor: can the environment reach its RDS and ElastiCache services? */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/doctor.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The protocol --connect speaks to a resource, or -1 when none. */
static int probe_proto(const struct data_resource *r)
{
	const char *e = r->engine ? r->engine : "";
	if (strstr(e, "postgres"))
		return DOCTOR_PROTO_POSTGRES;
	if (!strcmp(e, "redis") || !strcmp(e, "valkey"))
		return DOCTOR_PROTO_REDIS;
	return -1;
}

static void connect_checks(const struct doctor_targets *t, long timeout_ms,
                           struct doctor_checks *out)
{
	size_t i, j;
	for (i = 0; i < t->n; i++) {
		const struct doctor_target *x = &t->v[i];
		int proto = probe_proto(x->res);
		char msg[512], subj[300];
		bool dup = false;
		enum doctor_level lv;
		for (j = 0; j < i; j++)
			dup = dup || (!strcmp(t->v[j].host, x->host) && t->v[j].port == x->port);
		if (dup)
			continue;
		snprintf(subj, sizeof(subj), "%s:%d", x->host, x->port);
		if (proto < 0) {
			doctor_add(out, "connect.skipped", DOCTOR_OK, subj, NULL,
			           "%s speaks %s, which --connect does not probe", x->res->id,
			           x->res->engine ? x->res->engine : "an unknown protocol");
			continue;
		}
		lv = doctor_probe((enum doctor_proto)proto, x->host, x->port, timeout_ms, msg,
		                  sizeof(msg));
		doctor_add(
		    out, proto == DOCTOR_PROTO_POSTGRES ? "connect.postgres" : "connect.redis", lv,
		    subj,
		    lv == DOCTOR_OK ? NULL
		                    : "check the endpoint and port; from here, a VPN or a bastion "
		                      "may be needed to reach a private endpoint",
		    "%s (from this machine, not from the instances)", msg);
	}
}

int cmd_doctor(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "doctor", "[--format text|json] [--connect] [--connect-timeout DURATION]",
	    "Checks, each a line with ok, warning or error, a stable check id and what to\n"
	    "do: the environment is Ready and healthy (env.ready, env.health); the\n"
	    "running version's Dockerrun.aws.json validates and every property its\n"
	    "containers expect is set (dockerrun.valid, dockerrun.env-missing); each\n"
	    "property that names a host, host:port or a postgres:// or redis:// URL is an\n"
	    "RDS instance or cluster, or an ElastiCache cluster or replication group, of\n"
	    "the region, on its port (endpoint.match, endpoint.unknown naming the nearest\n"
	    "endpoint, endpoint.port); the resource is in the environment's VPC and an\n"
	    "inbound rule of its security groups allows its port from one of the\n"
	    "environment's groups or subnets (net.vpc, net.group-missing, net.ingress);\n"
	    "no property holds a secret in plain text (secret.plaintext, with the\n"
	    "aws:elasticbeanstalk:application:environmentsecrets namespace as the fix).\n"
	    "--connect also opens a TCP connection to each matched endpoint from this\n"
	    "machine and speaks the first step of Postgres or Redis (connect.postgres,\n"
	    "connect.redis): it tests the path from here, not from the instances.\n"
	    "Exit 0 when no check is an error, 1 otherwise, 3 when AWS cannot be read."};
	struct op_target t = {0};
	const char *format = "text";
	bool connect = false;
	unsigned long timeout = 3;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_BOOL("connect", 0, &connect, "also connect to each endpoint from this machine",
	                NULL),
	    OPTION_DURATION("connect-timeout", 0, &timeout, "DURATION",
	                    "bound each --connect probe (default 3s)", "EBCTL_CONNECT_TIMEOUT"),
	    OPTION_END,
	};
	struct doctor_input in;
	struct doctor_checks checks = {NULL, 0, 0};
	struct doctor_targets targets = {NULL, 0};
	struct aws_error err;
	size_t i;
	int rc, n;

	memset(&in, 0, sizeof(in));
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("doctor", "unexpected argument '%s'", argv[1]);
	interrupt_install();
	if ((rc = cli_target_open(&t, "doctor", OP_NEED_APP)))
		goto out;
	aws_error_clear(&err);
	if (doctor_gather(t.client, t.app, t.env, &in, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	doctor_evaluate(&in, &checks, &targets);
	if (connect)
		connect_checks(&targets, (long)timeout * 1000, &checks);
	if (!strcmp(format, "json")) {
		json_t *o = json_object(), *a = json_array();
		for (i = 0; i < checks.n; i++) {
			const struct doctor_check *k = &checks.v[i];
			json_t *c = json_object();
			json_object_set_new(c, "id", json_string(k->id));
			json_object_set_new(c, "level", json_string(doctor_level_name(k->level)));
			json_object_set_new(c, "subject", out_json_string(k->subject));
			json_object_set_new(c, "message", out_json_string(k->message));
			json_object_set_new(c, "fix",
			                    k->fix ? out_json_string(k->fix) : json_null());
			json_array_append_new(a, c);
		}
		json_object_set_new(o, "application", out_json_string(t.app));
		json_object_set_new(o, "environment", out_json_string(t.env));
		json_object_set_new(o, "ok", json_boolean(doctor_worst(&checks) != DOCTOR_ERROR));
		if (connect)
			json_object_set_new(o, "connect_from", json_string("this machine"));
		json_object_set_new(o, "checks", a);
		out_json(o);
	} else {
		size_t errors = 0, warnings = 0;
		for (i = 0; i < checks.n; i++) {
			const struct doctor_check *k = &checks.v[i];
			out_line("%-7s %-22s %s: %s\n", doctor_level_name(k->level), k->id,
			         k->subject, k->message);
			if (k->fix && k->level != DOCTOR_OK)
				out_line("        %-22s fix: %s\n", "", k->fix);
			errors += k->level == DOCTOR_ERROR;
			warnings += k->level == DOCTOR_WARNING;
		}
		if (connect)
			notef("--connect tested the path from this machine, not from the "
			      "environment's "
			      "instances");
		notef("%zu error%s, %zu warning%s", errors, errors == 1 ? "" : "s", warnings,
		      warnings == 1 ? "" : "s");
	}
	rc = doctor_worst(&checks) == DOCTOR_ERROR ? EBCTL_ERR_INVALID : 0;
out:
	doctor_checks_cleanup(&checks);
	doctor_targets_cleanup(&targets);
	doctor_input_cleanup(&in);
	op_target_close(&t);
	return rc;
}
