/* Unit tests for src/env/doctor.c: host parsing, port keys, edit distance,
 * endpoint matching, CIDRs, secrets, the rule evaluation, and whole
 * evaluations of hand-built inputs (each fault alone, with its check id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/doctor.h"
#include "ebctl/util.h"

static void test_parse_host(void **state)
{
	static const struct {
		const char *key, *value;
		bool is_host;
		const char *host;
		int port;
		const char *scheme;
	} cases[] = {
	    {"PGHOST", "db.abc.us-east-1.rds.amazonaws.com", true,
	     "db.abc.us-east-1.rds.amazonaws.com", 0, ""},
	    {"PGHOST", "DB.Example.ORG", true, "db.example.org", 0, ""},
	    {"REDIS_HOST", "cache.x.0001.use1.cache.amazonaws.com:6380", true,
	     "cache.x.0001.use1.cache.amazonaws.com", 6380, ""},
	    {"DATABASE_URL", "postgres://u:p@db.example.org:5433/app?sslmode=require", true,
	     "db.example.org", 5433, "postgres"},
	    {"DATABASE_URL", "postgresql://db.example.org/app", true, "db.example.org", 0,
	     "postgres"},
	    {"CACHE", "rediss://:tok@c.example.org:6379/0", true, "c.example.org", 6379, "redis"},
	    {"CACHE", "redis://u:p@a@c.example.org", true, "c.example.org", 0, "redis"},
	    {"OTHER", "db.abc.us-east-1.rds.amazonaws.com", true,
	     "db.abc.us-east-1.rds.amazonaws.com", 0, ""},
	    {"API_URL", "https://api.example.org", false, NULL, 0, NULL},
	    {"SITE", "example.org", false, NULL, 0, NULL}, /* no HOST in the key, no AWS name */
	    {"REDIS_HOST", "redis", false, NULL, 0, NULL}, /* a container link */
	    {"PGHOST", "db.example.org:0", false, NULL, 0, NULL}, /* port out of range */
	    {"PGHOST", "db.example.org:99999", false, NULL, 0, NULL},
	    {"PGHOST", "db.example.org:", false, NULL, 0, NULL},
	    {"PGHOST", "db example org", false, NULL, 0, NULL},
	    {"PGHOST", "", false, NULL, 0, NULL},
	    {"NODE_ENV", "production", false, NULL, 0, NULL},
	    {"DB_ENDPOINT", "10.0.1.5:5432", true, "10.0.1.5", 5432, ""},
	};
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(cases); i++) {
		struct doctor_host h;
		bool got = doctor_parse_host(cases[i].key, cases[i].value, &h);
		if (got != cases[i].is_host)
			fail_msg("case %zu (%s=%s): got %d", i, cases[i].key, cases[i].value, got);
		if (got) {
			assert_string_equal(h.host, cases[i].host);
			assert_int_equal(h.port, cases[i].port);
			assert_string_equal(h.scheme, cases[i].scheme);
		}
		doctor_host_cleanup(&h);
	}
}

static void test_port_key(void **state)
{
	static const char *const cases[][2] = {
	    {"PGHOST", "PGPORT"},         {"REDIS_HOST", "REDIS_PORT"}, {"DB_ENDPOINT", "DB_PORT"},
	    {"CACHE_ADDR", "CACHE_PORT"}, {"DB_HOSTNAME", "DB_PORT"},   {"DATABASE_URL", NULL},
	};
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(cases); i++) {
		char *k = doctor_port_key(cases[i][0]);
		if (cases[i][1])
			assert_string_equal(k, cases[i][1]);
		else
			assert_null(k);
		free(k);
	}
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(doctor_edit_distance("", ""), 0);
	assert_int_equal(doctor_edit_distance("abc", ""), 3);
	assert_int_equal(doctor_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(doctor_edit_distance("DB.example", "db.example"), 0);
	assert_int_equal(doctor_edit_distance("appdb.aaaaaaaaaa", "appdb.aaaaaaaaab"), 1);
	assert_int_equal(doctor_edit_distance("appdb", "apdb"), 1);
}

static void test_cidr(void **state)
{
	(void)state;
	assert_true(doctor_cidr_contains("10.0.0.0/16", "10.0.1.0/24"));
	assert_true(doctor_cidr_contains("10.0.0.0/16", "10.0.255.7"));
	assert_true(doctor_cidr_contains("0.0.0.0/0", "192.168.1.0/24"));
	assert_false(doctor_cidr_contains("10.0.1.0/24", "10.0.0.0/16"));
	assert_false(doctor_cidr_contains("10.1.0.0/16", "10.0.1.0/24"));
	assert_false(doctor_cidr_contains("10.0.0.0/33", "10.0.0.1"));
	assert_false(doctor_cidr_contains("10.0.0/16", "10.0.0.1"));
	assert_false(doctor_cidr_contains("10.0.0.256/32", "10.0.0.1"));
}

static void test_secrets(void **state)
{
	(void)state;
	assert_true(doctor_looks_secret("PGPASSWORD", "x"));
	assert_true(doctor_looks_secret("DB_PASSWORD", "x"));
	assert_true(doctor_looks_secret("SECRET_KEY_BASE", "x"));
	assert_true(doctor_looks_secret("GITHUB_TOKEN", "x"));
	assert_true(doctor_looks_secret("STRIPE_API_KEY", "x"));
	assert_true(
	    doctor_looks_secret("DATABASE_URL", "postgres://app:hunter2@db.example.org/app"));
	assert_false(doctor_looks_secret("DATABASE_URL", "postgres://app@db.example.org/app"));
	assert_false(doctor_looks_secret("PGHOST", "db.example.org"));
	assert_false(doctor_looks_secret("NODE_ENV", "production"));
}

/* ---- a hand-built account: the course's setup, then one fault at a time ---- */

static void add_rule(struct ec2_group *g, int from, int to, const char *src_group, const char *cidr)
{
	struct ec2_rule *r;
	g->rules = xrealloc(g->rules, (g->nrules + 1) * sizeof(*g->rules));
	r = &g->rules[g->nrules++];
	memset(r, 0, sizeof(*r));
	r->proto = xstrdup("tcp");
	r->from = from;
	r->to = to;
	if (src_group)
		strlist_add(&r->groups, src_group);
	if (cidr)
		strlist_add(&r->cidrs, cidr);
}

static struct ec2_group *add_group(struct doctor_input *in, const char *id, const char *name,
                                   const char *vpc)
{
	struct ec2_group *g;
	in->groups.v = xrealloc(in->groups.v, (in->groups.n + 1) * sizeof(*in->groups.v));
	g = &in->groups.v[in->groups.n++];
	memset(g, 0, sizeof(*g));
	g->id = xstrdup(id);
	g->name = xstrdup(name);
	g->vpc = xstrdup(vpc);
	return g;
}

static void add_res(struct doctor_input *in, enum data_kind kind, const char *id,
                    const char *engine, const char *address, int port, const char *group)
{
	struct data_resource *r;
	in->resources.v =
	    xrealloc(in->resources.v, (in->resources.n + 1) * sizeof(*in->resources.v));
	r = &in->resources.v[in->resources.n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->id = xstrdup(id);
	r->engine = xstrdup(engine);
	r->eps = xcalloc(1, sizeof(*r->eps));
	r->eps[0].address = xstrdup(address);
	r->eps[0].port = port;
	r->neps = 1;
	strlist_add(&r->groups, group);
}

#define DB    "appdb.abcdefghij.us-east-1.rds.amazonaws.com"
#define CACHE "appcache.xyz123.0001.use1.cache.amazonaws.com"

/* The course's setup: env in vpc-1 with app-data; app-data allows 5432-6379 from itself. */
static void course(struct doctor_input *in)
{
	struct ec2_group *g;
	memset(in, 0, sizeof(*in));
	in->env_name = "app-env";
	in->status = xstrdup("Ready");
	in->health = xstrdup("Green");
	in->health_status = xstrdup("Ok");
	in->env_vpc = xstrdup("vpc-1");
	strlist_add(&in->env_cidrs, "10.0.1.0/24");
	strlist_add(&in->env_groups, "sg-eb");
	strlist_add(&in->env_groups, "sg-data");
	strlist_add(&in->option_groups, "sg-data");
	add_group(in, "sg-eb", "awseb-e-1-stack-AWSEBSecurityGroup-X", "vpc-1");
	g = add_group(in, "sg-data", "app-data", "vpc-1");
	add_rule(g, 5432, 6379, "sg-data", NULL);
	add_res(in, DATA_RDS_INSTANCE, "appdb", "postgres", DB, 5432, "sg-data");
	add_res(in, DATA_CACHE_CLUSTER, "appcache", "redis", CACHE, 6379, "sg-data");
	eb_option_settings_add(&in->settings, DOCTOR_ENV_NS, "PGHOST", DB, NULL);
	eb_option_settings_add(&in->settings, DOCTOR_ENV_NS, "PGPORT", "5432", NULL);
	eb_option_settings_add(&in->settings, DOCTOR_ENV_NS, "REDIS_HOST", CACHE, NULL);
	eb_option_settings_add(&in->settings, DOCTOR_ENV_NS, "REDIS_PORT", "6379", NULL);
	eb_option_settings_add(&in->settings, DOCTOR_SECRETS_NS, "PGPASSWORD",
	                       "arn:aws:secretsmanager:us-east-1:1:secret:db", NULL);
}

static void set_prop(struct doctor_input *in, const char *name, const char *value)
{
	size_t i;
	for (i = 0; i < in->settings.n; i++)
		if (!strcmp(in->settings.v[i].ns, DOCTOR_ENV_NS) &&
		    !strcmp(in->settings.v[i].name, name)) {
			free(in->settings.v[i].value);
			in->settings.v[i].value = xstrdup(value);
			return;
		}
	eb_option_settings_add(&in->settings, DOCTOR_ENV_NS, name, value, NULL);
}

static void f_none(struct doctor_input *in)
{
	(void)in;
}
static void f_typo(struct doctor_input *in)
{
	set_prop(in, "PGHOST", "appdb.abcdefghik.us-east-1.rds.amazonaws.com");
}
static void f_port(struct doctor_input *in)
{
	set_prop(in, "REDIS_PORT", "6380");
}
static void f_badport(struct doctor_input *in)
{
	set_prop(in, "PGPORT", "five");
}
static void f_url_port(struct doctor_input *in)
{
	set_prop(in, "DATABASE_URL", "postgres://app@" DB ":5433/app");
}
static void f_group_missing(struct doctor_input *in)
{
	strlist_cleanup(&in->env_groups);
	strlist_cleanup(&in->option_groups);
	strlist_add(&in->env_groups, "sg-eb");
}
static void f_no_rule(struct doctor_input *in)
{
	struct ec2_group *g = &in->groups.v[1];
	free(g->rules[0].proto);
	strlist_cleanup(&g->rules[0].groups);
	strlist_cleanup(&g->rules[0].cidrs);
	g->nrules = 0;
}
static void f_wrong_port(struct doctor_input *in)
{
	struct ec2_group *g = &in->groups.v[1];
	g->rules[0].from = g->rules[0].to = 6379;
}
static void f_vpc(struct doctor_input *in)
{
	free(in->env_vpc);
	in->env_vpc = xstrdup("vpc-2");
}
static void f_cidr(struct doctor_input *in)
{
	struct ec2_group *g = &in->groups.v[1];
	f_group_missing(in);
	free(g->rules[0].groups.v[0]);
	g->rules[0].groups.n = 0;
	add_rule(g, 5432, 6379, NULL, "10.0.0.0/16");
}
static void f_plaintext(struct doctor_input *in)
{
	set_prop(in, "PGPASSWORD", "hunter2");
}
static void f_unknown(struct doctor_input *in)
{
	set_prop(in, "REDIS_HOST", "cache.example.org");
}
static void f_not_ready(struct doctor_input *in)
{
	free(in->status);
	in->status = xstrdup("Updating");
}
static void f_red(struct doctor_input *in)
{
	free(in->health);
	in->health = xstrdup("Red");
	strlist_add(&in->causes, "100 % of the requests are failing");
}

static void f_dockerrun_ref(struct doctor_input *in)
{
	in->dockerrun_read = in->dockerrun_ok = true;
	strlist_add(&in->dockerrun_refs, "PGHOST");
	strlist_add(&in->dockerrun_refs, "PGPASSWORD"); /* set in the secrets namespace */
	strlist_add(&in->dockerrun_refs, "SESSION_KEY");
}
static void f_dockerrun_bad(struct doctor_input *in)
{
	in->dockerrun_read = true;
	in->dockerrun_error = xstrdup("has 2 errors");
}

static const struct doctor_check *find(const struct doctor_checks *c, const char *id,
                                       enum doctor_level lv)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].id, id) && c->v[i].level == lv)
			return &c->v[i];
	return NULL;
}

static void test_evaluate(void **state)
{
	static const struct {
		const char *name;
		void (*fault)(struct doctor_input *);
		const char *id;
		enum doctor_level level;
		const char *says;
		enum doctor_level worst;
	} cases[] = {
	    {"clean", f_none, "net.ingress", DOCTOR_OK, "allows its own members", DOCTOR_OK},
	    {"typo", f_typo, "endpoint.unknown", DOCTOR_ERROR, "the nearest is '" DB "'",
	     DOCTOR_ERROR},
	    {"unknown", f_unknown, "endpoint.unknown", DOCTOR_ERROR, "nearest is '" CACHE "'",
	     DOCTOR_ERROR},
	    {"port", f_port, "endpoint.port", DOCTOR_ERROR, "port 6380 does not match",
	     DOCTOR_ERROR},
	    {"bad port", f_badport, "endpoint.port", DOCTOR_ERROR, "'five' is not a port",
	     DOCTOR_ERROR},
	    {"url port", f_url_port, "endpoint.port", DOCTOR_ERROR, "port 5433 does not match",
	     DOCTOR_ERROR},
	    {"group missing", f_group_missing, "net.group-missing", DOCTOR_ERROR,
	     "which the environment's instances do not have", DOCTOR_ERROR},
	    {"no rule", f_no_rule, "net.ingress", DOCTOR_ERROR, "no inbound rule", DOCTOR_ERROR},
	    {"wrong port", f_wrong_port, "net.ingress", DOCTOR_ERROR,
	     "on ports 6379-6379, not on 5432", DOCTOR_ERROR},
	    {"vpc", f_vpc, "net.vpc", DOCTOR_ERROR, "the environment is in vpc-2", DOCTOR_ERROR},
	    {"cidr", f_cidr, "net.ingress", DOCTOR_OK, "10.0.0.0/16, which covers", DOCTOR_OK},
	    {"plaintext", f_plaintext, "secret.plaintext", DOCTOR_WARNING, "environmentsecrets",
	     DOCTOR_WARNING},
	    {"not ready", f_not_ready, "env.ready", DOCTOR_ERROR, "Updating, not Ready",
	     DOCTOR_ERROR},
	    {"dockerrun ref", f_dockerrun_ref, "dockerrun.env-missing", DOCTOR_WARNING,
	     "expects 'SESSION_KEY'", DOCTOR_WARNING},
	    {"dockerrun bad", f_dockerrun_bad, "dockerrun.valid", DOCTOR_ERROR, "has 2 errors",
	     DOCTOR_ERROR},
	    {"red", f_red, "env.health", DOCTOR_ERROR, "requests are failing", DOCTOR_ERROR},
	};
	size_t i, j;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(cases); i++) {
		struct doctor_input in;
		struct doctor_checks c = {NULL, 0, 0};
		struct doctor_targets t = {NULL, 0};
		const struct doctor_check *k;
		course(&in);
		cases[i].fault(&in);
		doctor_evaluate(&in, &c, &t);
		k = find(&c, cases[i].id, cases[i].level);
		if (!k)
			fail_msg("case '%s': no %s at level %s", cases[i].name, cases[i].id,
			         doctor_level_name(cases[i].level));
		if (!strstr(k->message, cases[i].says))
			fail_msg("case '%s': '%s' not in '%s'", cases[i].name, cases[i].says,
			         k->message);
		if (doctor_worst(&c) != cases[i].worst)
			fail_msg("case '%s': worst is %s", cases[i].name,
			         doctor_level_name(doctor_worst(&c)));
		/* no secret's value in any check */
		for (j = 0; j < c.n; j++) {
			assert_null(strstr(c.v[j].message, "hunter2"));
			assert_null(strstr(c.v[j].subject, "hunter2"));
			assert_true(c.v[j].fix == NULL || strstr(c.v[j].fix, "hunter2") == NULL);
		}
		if (cases[i].fault == f_none) {
			assert_int_equal(t.n, 2);
			assert_string_equal(t.v[0].host, DB);
			assert_int_equal(t.v[0].port, 5432);
		}
		doctor_checks_cleanup(&c);
		doctor_targets_cleanup(&t);
		doctor_input_cleanup(&in);
	}
}

static void test_match_port_decides(void **state)
{
	struct doctor_input in;
	const struct data_endpoint *ep = NULL;
	const struct data_resource *r;
	(void)state;
	memset(&in, 0, sizeof(in));
	add_res(&in, DATA_RDS_INSTANCE, "one", "postgres", "127.0.0.1", 5432, "sg");
	add_res(&in, DATA_CACHE_CLUSTER, "two", "redis", "127.0.0.1", 6379, "sg");
	r = doctor_match(&in.resources, "127.0.0.1", 6379, &ep);
	assert_non_null(r);
	assert_string_equal(r->id, "two");
	r = doctor_match(&in.resources, "127.0.0.1", 0, &ep);
	assert_string_equal(r->id, "one");
	r = doctor_match(&in.resources, "127.0.0.1", 1, &ep);
	assert_string_equal(r->id, "one"); /* the address matches; the port check will say */
	assert_null(doctor_match(&in.resources, "127.0.0.2", 0, &ep));
	doctor_input_cleanup(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_host),
	    cmocka_unit_test(test_port_key),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_secrets),
	    cmocka_unit_test(test_evaluate),
	    cmocka_unit_test(test_match_port_decides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
