/* Unit tests for the deployment verdict: scripted observation sequences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ebctl/util.h"
#include "ebctl/verdict.h"

#define RID "req-ours"
#define W   VERDICT_WAITING
#define S   VERDICT_SUCCESS
#define F   VERDICT_FAILED
#define U   VERDICT_UNHEALTHY
#define T   VERDICT_TIMEOUT

/* One scripted observation: 'e' event (a = request id, b = severity, c =
 * message), 'n' environment (a = status, b = health, c = label), 't' tick;
 * at time ms; `want` is the state after it. */
struct step {
	char kind;
	int64_t ms;
	const char *a, *b, *c;
	enum verdict_state want;
};

struct script {
	const char *name;
	/* what the update deploys: a new label ("v2"), the label the environment
	 * already runs, or none (a configuration update: setenv) */
	enum { NEW_LABEL, SAME_LABEL, NO_LABEL } label;
	unsigned healthy;
	struct step steps[12];
	const char *reason; /* substring of the final reason, or NULL */
};

static const struct script scripts[] = {
    {"plain success",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'e', 100, RID, "INFO", "updateEnvironment is starting.", W},
      {'n', 1000, "Updating", "Grey", "v1", W},
      {'n', 2000, "Updating", "Grey", "v2", W},
      {'n', 3000, "Ready", "Green", "v2", S}},
     "running 'v2', Ready, health Green"},
    {"fast update never seen Updating",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 1000, "Ready", "Green", "v2", S}},
     NULL},
    {"stale Ready read before the update starts",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Ready", "Green", "v1", W},
      {'n', 1100, "Updating", "Grey", "v1", W},
      {'n', 2100, "Ready", "Green", "v2", S}},
     NULL},
    {"ERROR event of our request",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W},
      {'e', 900, RID, "ERROR", "Failed to deploy application.", F},
      {'n', 2000, "Ready", "Green", "v2", F}},
     "Failed to deploy application."},
    {"ERROR of another request is ignored",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'e', 100, "req-other", "ERROR", "Failed to deploy application.", W},
      {'e', 200, NULL, "ERROR", "Something else", W},
      {'n', 1000, "Ready", "Green", "v2", S}},
     NULL},
    {"rollback message at INFO",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W},
      {'e', 500, RID, "INFO", "Rolling back to the previous version.", F}},
     "Rolling back"},
    {"failed to deploy at WARN",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'e', 500, RID, "WARN", "Failed to deploy application on 1 instance.", F}},
     NULL},
    {"FATAL event", NEW_LABEL, HEALTH_GREEN, {{'e', 500, RID, "fatal", "boom", F}}, "boom"},
    {"Ready again with the old label",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W}, {'n', 1100, "Ready", "Green", "v1", F}},
     "runs 'v1', not 'v2'"},
    {"completion event then the old label",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'e', 100, RID, "INFO", "Environment update completed successfully.", W},
      {'n', 200, "Ready", "Green", "v1", F}},
     NULL},
    {"terminating environment",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Terminating", "Grey", "v1", F}},
     "Terminating"},
    {"Yellow accepted when allowed",
     NEW_LABEL,
     HEALTH_GREEN | HEALTH_YELLOW,
     {{'n', 100, "Updating", "Grey", "v1", W}, {'n', 1100, "Ready", "Yellow", "v2", S}},
     NULL},
    {"recovers within the grace period",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W},
      {'n', 1000, "Ready", "Red", "v2", W},
      {'t', 5000, NULL, NULL, NULL, W},
      {'n', 9000, "Ready", "Green", "v2", S}},
     NULL},
    {"unhealthy after the grace period",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W},
      {'n', 1000, "Ready", "Red", "v2", W},
      {'n', 10999, "Ready", "Red", "v2", W},
      {'t', 11000, NULL, NULL, NULL, U}},
     "health is Red"},
    {"unhealthy at the deadline before the grace ends",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 55000, "Ready", "Yellow", "v2", W}, {'t', 60000, NULL, NULL, NULL, U}},
     "health is Yellow"},
    {"timeout while updating",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W},
      {'t', 59999, NULL, NULL, NULL, W},
      {'t', 60000, NULL, NULL, NULL, T}},
     "the environment is Updating"},
    {"timeout decided by a late observation",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 61000, "Updating", "Grey", "v1", T}},
     NULL},
    {"decided verdict never changes",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Ready", "Green", "v2", S},
      {'e', 200, RID, "ERROR", "late error", S},
      {'t', 70000, NULL, NULL, NULL, S}},
     "health Green"},
    {"same label redeployed: wait for the update",
     SAME_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Ready", "Green", "v2", W},
      {'n', 1100, "Updating", "Grey", "v2", W},
      {'n', 2100, "Ready", "Green", "v2", S}},
     NULL},
    {"same label redeployed: completion event suffices",
     SAME_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Ready", "Green", "v2", W},
      {'e', 500, RID, "INFO", "Environment update completed successfully.", W},
      {'n', 1100, "Ready", "Green", "v2", S}},
     NULL},
    {"missing fields do not crash",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, NULL, NULL, NULL, W},
      {'e', 200, RID, NULL, NULL, W},
      {'n', 300, "Ready", NULL, NULL, F}},
     NULL},
    {"Grey health is not Green",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Ready", "Grey", "v2", W}, {'t', 10100, NULL, NULL, NULL, U}},
     NULL},
    /* an environment that runs no version: it used to fail as soon as it
     * was Ready again ("runs 'no version', not '(null)'") */
    {"configuration update of an environment running no version",
     NO_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", NULL, W},
      {'e', 200, RID, "INFO", "Environment update completed successfully.", W},
      {'n', 300, "Ready", "Green", NULL, S}},
     NULL},
    {"a version update still needs our label",
     NEW_LABEL,
     HEALTH_GREEN,
     {{'n', 100, "Updating", "Grey", "v1", W}, {'n', 300, "Ready", "Green", NULL, F}},
     "'no version', not 'v2'"},
};

static void run_script(const struct script *s)
{
	struct verdict v;
	struct verdict_config c = {s->label == NO_LABEL ? NULL : "v2",
	                           RID,
	                           s->healthy,
	                           60000,
	                           10000,
	                           s->label != NEW_LABEL};
	size_t i;
	verdict_init(&v, &c);
	for (i = 0; i < EBCTL_ARRAY_LEN(s->steps) && s->steps[i].kind; i++) {
		const struct step *st = &s->steps[i];
		enum verdict_state got;
		if (st->kind == 'e')
			got = verdict_on_event(&v, st->a, st->b, st->c, st->ms);
		else if (st->kind == 'n')
			got = verdict_on_environment(&v, st->a, st->b, st->c, st->ms);
		else
			got = verdict_on_tick(&v, st->ms);
		if (got != st->want)
			fail_msg("%s: step %zu: %s, wanted %s (%s)", s->name, i + 1,
			         verdict_state_name(got), verdict_state_name(st->want), v.reason);
	}
	if (s->reason && !strstr(v.reason, s->reason))
		fail_msg("%s: reason '%s' lacks '%s'", s->name, v.reason, s->reason);
}

static void test_scripts(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(scripts); i++)
		run_script(&scripts[i]);
}

static void test_parse_healthy(void **state)
{
	unsigned m = 0;
	(void)state;
	assert_int_equal(verdict_parse_healthy("Green", &m), 0);
	assert_int_equal(m, HEALTH_GREEN);
	assert_int_equal(verdict_parse_healthy("green, Yellow", &m), 0);
	assert_int_equal(m, HEALTH_GREEN | HEALTH_YELLOW);
	assert_int_equal(verdict_parse_healthy("Green,Grey,Red", &m), 0);
	assert_int_equal(m, HEALTH_GREEN | HEALTH_GREY | HEALTH_RED);
	m = 99;
	assert_int_equal(verdict_parse_healthy("Blue", &m), -1);
	assert_int_equal(verdict_parse_healthy("", &m), -1);
	assert_int_equal(verdict_parse_healthy(",", &m), -1);
	assert_int_equal(verdict_parse_healthy("Greenish", &m), -1);
	assert_int_equal(m, 99);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(verdict_status(VERDICT_SUCCESS), EBCTL_OK);
	assert_int_equal(verdict_status(VERDICT_FAILED), EBCTL_ERR_FAILED);
	assert_int_equal(verdict_status(VERDICT_UNHEALTHY), EBCTL_ERR_UNHEALTHY);
	assert_int_equal(verdict_status(VERDICT_TIMEOUT), EBCTL_ERR_TIMEOUT);
	assert_string_equal(verdict_state_name(VERDICT_TIMEOUT), "timeout");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scripts),
	    cmocka_unit_test(test_parse_healthy),
	    cmocka_unit_test(test_exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
