/*
 * ebctl doctor and link: can the environment reach its data services?
 *
 * Two halves. doctor_gather() reads what the checks need (environment,
 * health, options, instances, security groups, VPC, subnets, RDS and
 * ElastiCache) into a struct doctor_input. doctor_evaluate() is pure: it
 * turns an input into a list of checks, each with a stable id, a level, a
 * subject, a message and a fix. Table-driven tests feed it inputs built by
 * hand (tests/unit/test_doctor.c). Nothing here prints.
 *
 * Check ids (docs/doctor.md): env.ready, env.health, dockerrun.valid,
 * dockerrun.env-missing, endpoint.match, endpoint.unknown, endpoint.port,
 * net.group-missing, net.ingress, net.vpc, secret.plaintext,
 * secret.reference, connect.postgres, connect.redis.
 */
#ifndef EBCTL_DOCTOR_H
#define EBCTL_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "ebctl/data.h"
#include "ebctl/eb.h"
#include "ebctl/util.h"

#define DOCTOR_ENV_NS     "aws:elasticbeanstalk:application:environment"
#define DOCTOR_SECRETS_NS "aws:elasticbeanstalk:application:environmentsecrets"
#define DOCTOR_LAUNCH_NS  "aws:autoscaling:launchconfiguration"
#define DOCTOR_VPC_NS     "aws:ec2:vpc"

enum doctor_level { DOCTOR_OK, DOCTOR_WARNING, DOCTOR_ERROR };
/* "ok", "warning", "error" */
const char *doctor_level_name(enum doctor_level l);

struct doctor_check {
	const char *id; /* static: "net.ingress" */
	enum doctor_level level;
	char
	    *subject; /* what it is about: a property, a resource; never a value that is a secret */
	char *message;
	char *fix; /* what to do (a command to run), or NULL */
};
struct doctor_checks {
	struct doctor_check *v;
	size_t n, cap;
};
void doctor_add(struct doctor_checks *c, const char *id, enum doctor_level level,
                const char *subject, const char *fix, const char *fmt, ...) EBCTL_PRINTF(6, 7);
void doctor_checks_cleanup(struct doctor_checks *c);
/* The most serious level in c (DOCTOR_OK when empty). */
enum doctor_level doctor_worst(const struct doctor_checks *c);

/* ---- the pure pieces ---- */

/* A property value that names a data service's host. */
struct doctor_host {
	char *host;      /* lower case */
	int port;        /* 0 when the value has none */
	char scheme[16]; /* "postgres", "redis", "" for a bare host */
};
void doctor_host_cleanup(struct doctor_host *h);
/*
 * Whether property key=value names a data host: a postgres://,
 * postgresql://, redis:// or rediss:// URL; or a host or host:port whose
 * key says HOST, ENDPOINT or ADDR, or whose host is an AWS name
 * (*.amazonaws.com). A host without a dot (a container link such as
 * "redis") is not one. Fills out (doctor_host_cleanup) when true.
 */
bool doctor_parse_host(const char *key, const char *value, struct doctor_host *out);
/* The property that holds the port for a host property: PGHOST -> PGPORT,
 * REDIS_HOST -> REDIS_PORT, DB_ENDPOINT -> DB_PORT; NULL when the key has
 * no HOST/ENDPOINT/ADDR suffix. Caller frees. */
char *doctor_port_key(const char *host_key);
/* Levenshtein distance, case-insensitive. */
size_t doctor_edit_distance(const char *a, const char *b);
/* The resource one of whose endpoints is host (case-insensitive), with
 * that endpoint in *ep; NULL when none. When several endpoints share the
 * address, the one on port wins (port <= 0: the first). */
const struct data_resource *doctor_match(const struct data_resources *r, const char *host, int port,
                                         const struct data_endpoint **ep);
/* The endpoint address nearest to host by edit distance, or NULL when r
 * has none; its resource in *res. */
const char *doctor_nearest(const struct data_resources *r, const char *host,
                           const struct data_resource **res, size_t *distance);
/* Whether IPv4 CIDR outer contains inner (a CIDR or an address). */
bool doctor_cidr_contains(const char *outer, const char *inner);
/* Whether a property looks like a secret by its name or value. */
bool doctor_looks_secret(const char *key, const char *value);

enum doctor_net {
	DOCTOR_NET_SELF,          /* a group both sides share allows itself: the course's setup */
	DOCTOR_NET_GROUP,         /* a rule allows one of the environment's groups */
	DOCTOR_NET_CIDR,          /* a rule's CIDR covers the environment's subnets */
	DOCTOR_NET_VPC,           /* different VPCs */
	DOCTOR_NET_GROUP_MISSING, /* a rule allows a group the environment does not have */
	DOCTOR_NET_NO_INGRESS,    /* nothing allows the port from the environment */
};
struct doctor_net_result {
	enum doctor_net verdict;
	const char *group;  /* the resource's group whose rule decides (borrowed), or NULL */
	const char *source; /* the allowed group or CIDR (borrowed), or NULL */
	int near_from,
	    near_to; /* NO_INGRESS: a rule from the environment on other ports (-2: none) */
};
/*
 * Whether port on a resource in groups res_groups (ids, looked up in all)
 * and VPC res_vpc is open to an environment with groups env_groups in
 * env_vpc whose subnets are env_cidrs. A NULL VPC is not compared.
 */
void doctor_net_eval(const struct ec2_groups *all, const struct strlist *res_groups,
                     const char *res_vpc, const struct strlist *env_groups, const char *env_vpc,
                     const struct strlist *env_cidrs, int port, struct doctor_net_result *out);

/* ---- inputs and the evaluation ---- */

struct doctor_input {
	const char *env_name;
	/* the environment */
	char *status, *health, *health_status;
	struct strlist causes;
	struct eb_option_settings settings; /* every option of the environment */
	/* the network */
	struct strlist env_groups;    /* ids: the SecurityGroups option's and the instances' */
	struct strlist option_groups; /* ids the SecurityGroups option names, in order */
	char *env_vpc;
	struct strlist env_cidrs;
	struct ec2_groups groups; /* the environment's and every data resource's groups */
	struct data_resources resources;
	/* the deployed Dockerrun: validated (dockerrun_ok false with dockerrun_error set
	 * when it is invalid or could not be read; both NULL/false when not read) */
	bool dockerrun_read, dockerrun_ok;
	char *dockerrun_error;
	struct strlist
	    dockerrun_refs; /* container environment names it expects from the properties */
};
void doctor_input_cleanup(struct doctor_input *in);

/* One property matched to a data resource (for --connect). */
struct doctor_target {
	char *key;
	char *host;
	int port;
	const struct data_resource *res; /* borrowed from the input */
};
struct doctor_targets {
	struct doctor_target *v;
	size_t n;
};
void doctor_targets_cleanup(struct doctor_targets *t);

/* Every check of checks 1-5 into out; the matched endpoints into targets
 * (NULL: not wanted). Pure. */
void doctor_evaluate(const struct doctor_input *in, struct doctor_checks *out,
                     struct doctor_targets *targets);

/* The VPC a resource is in: its own, else its first group's (borrowed), or NULL. */
const char *doctor_resource_vpc(const struct doctor_input *in, const struct data_resource *r);

/* Read everything for env of app into in (doctor_input_cleanup). Returns 0
 * or -1 with err. */
int doctor_gather(struct aws_client *c, const char *app, const char *env, struct doctor_input *in,
                  struct aws_error *err);

/* ---- --connect ---- */

enum doctor_proto { DOCTOR_PROTO_POSTGRES, DOCTOR_PROTO_REDIS };
/*
 * Open a TCP connection to host:port within timeout_ms and speak the
 * protocol's first step: Postgres SSLRequest ('S' or 'N'), Redis PING
 * (+PONG, or -NOAUTH/-ERR: reachable, needs auth). Returns DOCTOR_OK, or
 * DOCTOR_ERROR with msg saying what happened (refused, timed out, not
 * Postgres / not Redis).
 */
enum doctor_level doctor_probe(enum doctor_proto proto, const char *host, int port, long timeout_ms,
                               char *msg, size_t msglen);

#endif
