/* Unit tests for src/dockerrun: one passing and one failing case for every
 * rule, asserting the rule id and the line and column it points at (the
 * bundle rules: the rule id src/bundle and src/deploy/label.c print); plus
 * the parser's position index, the model and the output forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/bundle.h"
#include "ebctl/deploy.h"
#include "ebctl/dockerrun.h"
#include "ebctl/util.h"
#include "testutil.h"
#include "dockerrun/render.h"

/* A valid one-container v2 file, and containers to splice into others. */
#define HEAD2 "{\"AWSEBDockerrunVersion\": 2,\n\"containerDefinitions\": [\n"
#define WEB                                                                                        \
	"{\"name\": \"web\", \"image\": \"nginx:1.25\", \"memory\": 128, \"portMappings\": "       \
	"[{\"hostPort\": 80, \"containerPort\": 80}]}"
#define TAIL2          "\n]}"
#define V2(containers) HEAD2 containers TAIL2
#define C(name, extra) "{\"name\": \"" name "\", \"image\": \"app:1\", \"memory\": 64" extra "}"

struct rule_case {
	const char *rule;
	const char *fail; /* must report `rule` at line:col */
	unsigned line, col;
	const char *pass; /* must not report `rule` */
	int comp;         /* companions of the passing case: 1 Dockerfile, 2 docker-compose.yml */
};

static const struct rule_case cases[] = {
    {"json-syntax", "{\"AWSEBDockerrunVersion\": 2,\n \"containerDefinitions\": [],\n}", 2, 28,
     V2(WEB), 0},
    {"duplicate-key",
     V2("{\"name\": \"web\", \"name\": \"web\", \"image\": \"nginx:1\", \"memory\": 9, "
        "\"portMappings\": [{\"hostPort\": 80, \"containerPort\": 80}]}"),
     3, 17, V2(WEB), 0},
    {"version-missing", "{\"containerDefinitions\": []}", 1, 1, V2(WEB), 0},
    {"version-string", "{\"AWSEBDockerrunVersion\": \"2\",\n\"containerDefinitions\": [" WEB "]}",
     1, 27, V2(WEB), 0},
    {"version-shape",
     "{\"AWSEBDockerrunVersion\": 2,\n \"Image\": {\"Name\": \"x:1\"},\n \"containerDefinitions\": "
     "[" WEB "]}",
     2, 2, V2(WEB), 0},
    {"unknown-key",
     V2("{\"name\": \"web\", \"image\": \"nginx:1\", \"memory\": 9,\n \"portMapping\": "
        "[{\"hostPort\": 80, \"containerPort\": 80}]}"),
     4, 2, V2(WEB), 0},
    {"placeholder",
     V2("{\"name\": \"web\", \"image\": \"<ACCOUNT>.dkr.ecr/x:1\", \"memory\": 9, "
        "\"portMappings\": [{\"hostPort\": 80, \"containerPort\": 80}]}"),
     3, 26, V2(WEB), 0},
    {"v1-image", "{\"AWSEBDockerrunVersion\": 1,\n \"Ports\": [{\"ContainerPort\": 80}]}", 1, 1,
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": 80}]}",
     0},
    {"v1-ports",
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": \"http\"}]}",
     3, 30,
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": \"8080\"}]}",
     0},
    {"v1-auth",
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": 80}],\n \"Authentication\": {\"Bucket\": \"b\"}}",
     4, 20,
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": 80}],\n \"Authentication\": {\"Bucket\": \"b\", \"Key\": \"k\"}}",
     0},
    {"v1-volumes",
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": 80}],\n \"Volumes\": [{\"HostDirectory\": \"/a\"}]}",
     4, 14,
     "{\"AWSEBDockerrunVersion\": 1,\n \"Image\": {\"Name\": \"nginx:1\"},\n \"Ports\": "
     "[{\"ContainerPort\": 80}],\n \"Volumes\": [{\"HostDirectory\": \"/a\", "
     "\"ContainerDirectory\": \"/b\"}],\n \"Logging\": \"/var/log\"}",
     0},
    {"containers-empty", "{\"AWSEBDockerrunVersion\": 2,\n\"containerDefinitions\": []}", 2, 25,
     V2(WEB), 0},
    {"containers-many",
     V2(WEB ",\n" C("a", "") "," C("b", "") "," C("c", "") "," C("d", "") "," C("e", "") "," C(
         "f", "") "," C("g", "") "," C("h", "") "," C("i", "") "," C("j", "")),
     2, 25, V2(WEB ",\n" C("a", "")), 0},
    {"volume-name",
     "{\"AWSEBDockerrunVersion\": 2,\n\"volumes\": [{\"name\": \"v\", \"host\": {\"sourcePath\": "
     "\" \"}}],\n\"containerDefinitions\": [" WEB "]}",
     2, 50,
     "{\"AWSEBDockerrunVersion\": 2,\n\"volumes\": [{\"name\": \"v\", \"host\": {\"sourcePath\": "
     "\"/d\"}}],\n\"containerDefinitions\": [" WEB "]}",
     0},
    {"volume-unused",
     "{\"AWSEBDockerrunVersion\": 2,\n\"volumes\": [{\"name\": \"v\", \"host\": {\"sourcePath\": "
     "\"/d\"}}],\n\"containerDefinitions\": [" WEB "]}",
     2, 22,
     "{\"AWSEBDockerrunVersion\": 2,\n\"volumes\": [{\"name\": \"v\", \"host\": {\"sourcePath\": "
     "\"/d\"}}],\n\"containerDefinitions\": [" C(
         "web", ", \"mountPoints\": [{\"sourceVolume\": \"v\", \"containerPath\": \"/d\"}]") "]}",
     0},
    {"auth-v2",
     "{\"AWSEBDockerrunVersion\": 2,\n\"authentication\": {\"bucket\": \"b\", \"key\": "
     "7},\n\"containerDefinitions\": [" WEB "]}",
     2, 42,
     "{\"AWSEBDockerrunVersion\": 2,\n\"authentication\": {\"bucket\": \"b\", \"key\": "
     "\"k\"},\n\"containerDefinitions\": [" WEB "]}",
     0},
    {"name-missing", V2(WEB ",\n{\"name\": \"a b\", \"image\": \"x:1\", \"memory\": 9}"), 4, 10,
     V2(WEB), 0},
    {"name-duplicate", V2(WEB ",\n" C("web", "")), 4, 10, V2(WEB ",\n" C("api", "")), 0},
    {"image-missing", V2(WEB ",\n{\"name\": \"api\", \"memory\": 9}"), 4, 1,
     V2(WEB ",\n" C("api", "")), 0},
    {"image-latest",
     V2(WEB ",\n{\"name\": \"api\", \"image\": \"repo/api:latest\", \"memory\": 9}"), 4, 26,
     V2(WEB ",\n{\"name\": \"api\", \"image\": \"repo/api@sha256:abc\", \"memory\": 9}"), 0},
    {"essential-none",
     V2("{\"name\": \"web\", \"image\": \"nginx:1\", \"memory\": 9, \"essential\": false, "
        "\"portMappings\": [{\"hostPort\": 80, \"containerPort\": 80}]}"),
     2, 25, V2(WEB ",\n" C("api", ", \"essential\": false")), 0},
    {"memory-missing", V2(WEB ",\n{\"name\": \"api\", \"image\": \"x:1\", \"memory\": 0}"), 4, 43,
     V2(WEB ",\n{\"name\": \"api\", \"image\": \"x:1\", \"memoryReservation\": 256}"), 0},
    {"memory-order", V2(WEB ",\n" C("api", ", \"memoryReservation\": 128")), 4, 45,
     V2(WEB ",\n" C("api", ", \"memoryReservation\": 32")), 0},
    {"memory-small", V2(WEB ",\n{\"name\": \"api\", \"image\": \"x:1\", \"memory\": 2}"), 4, 43,
     V2(WEB), 0},
    {"type", V2(WEB ",\n" C("api", ", \"command\": \"npm start\"")), 4, 60,
     V2(WEB ",\n" C("api", ", \"command\": [\"npm\", \"start\"]")), 0},
    {"env-entry",
     V2(WEB ",\n" C("api", ", \"environment\": [{\"name\": \"PORT\", \"value\": 5000}]")), 4, 91,
     V2(WEB ",\n" C("api", ", \"environment\": [{\"name\": \"PORT\", \"value\": \"5000\"}]")), 0},
    {"log-driver", V2(WEB ",\n" C("api", ", \"logConfiguration\": {\"logDriver\": \"fluentbit\"}")),
     4, 83,
     V2(WEB ",\n" C("api", ", \"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": "
                           "{\"awslogs-group\": \"g\"}}")),
     0},
    {"health-check",
     V2(WEB
        ",\n" C("api", ", \"healthCheck\": {\"command\": [\"CMD\", \"true\"], \"interval\": 1}")),
     4, 105,
     V2(WEB
        ",\n" C("api", ", \"healthCheck\": {\"command\": [\"CMD\", \"true\"], \"interval\": 30}")),
     0},
    {"port-range", V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 70000}]")), 4,
     84, V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 8080}]")), 0},
    {"port-protocol",
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 53, \"protocol\": \"UDP\"}]")),
     4, 100,
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 53, \"protocol\": \"udp\"}]")),
     0},
    {"host-port-clash",
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": 80}]")), 4,
     102,
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": 80, "
                           "\"protocol\": \"udp\"}]")),
     0},
    {"container-port-dup",
     V2(WEB
        ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 80}, {\"containerPort\": 80}]")),
     4, 107,
     V2(WEB
        ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 80}, {\"containerPort\": 81}]")),
     0},
    {"host-port-reserved",
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 80, \"hostPort\": 2375}]")), 4,
     100,
     V2(WEB ",\n" C("api", ", \"portMappings\": [{\"containerPort\": 80, \"hostPort\": 8080}]")),
     0},
    {"no-port-80", V2(C("api", "")), 2, 25, V2(WEB), 0},
    {"link-target", V2(WEB ",\n" C("api", ", \"links\": [\"db\"]")), 4, 59,
     V2(WEB ",\n" C("api", ", \"links\": [\"web:front\"]")), 0},
    {"link-self", V2(WEB ",\n" C("api", ", \"links\": [\"api\"]")), 4, 59,
     V2(WEB ",\n" C("api", ", \"links\": [\"web\"]")), 0},
    {"link-cycle", V2(C("web", ", \"links\": [\"api\"]") ",\n" C("api", ", \"links\": [\"web\"]")),
     4, 59, V2(C("web", ", \"links\": [\"api\"]") ",\n" C("api", "")), 0},
    {"link-alias", V2(WEB ",\n" C("api", ", \"links\": [\"web:a b\"]")), 4, 59,
     V2(WEB ",\n" C("api", ", \"links\": [\"web:front\"]")), 0},
    {"mount-volume",
     V2(WEB ",\n" C(
         "api", ", \"mountPoints\": [{\"sourceVolume\": \"data\", \"containerPath\": \"/d\"}]")),
     4, 82,
     V2(WEB ",\n" C("api", ", \"mountPoints\": [{\"sourceVolume\": \"awseb-logs-api\", "
                           "\"containerPath\": \"/var/log\"}]")),
     0},
    {"mount-path",
     V2(WEB ",\n" C("api", ", \"mountPoints\": [{\"sourceVolume\": \"awseb-logs-api\", "
                           "\"containerPath\": \"logs\"}]")),
     4, 117,
     V2(WEB ",\n" C("api", ", \"mountPoints\": [{\"sourceVolume\": \"awseb-logs-api\", "
                           "\"containerPath\": \"/logs\"}]")),
     0},
    {"volumes-from", V2(WEB ",\n" C("api", ", \"volumesFrom\": [{\"sourceContainer\": \"data\"}]")),
     4, 85, V2(WEB ",\n" C("api", ", \"volumesFrom\": [{\"sourceContainer\": \"web\"}]")), 0},
    {"start-order-cycle",
     V2(C("web", ", \"links\": [\"api\"]") ",\n" C(
         "api", ", \"volumesFrom\": [{\"sourceContainer\": \"web\"}]")),
     4, 85, V2(C("web", ", \"links\": [\"api\"]") ",\n" C("api", "")), 0},
    {"v3-compose", "{\"AWSEBDockerrunVersion\": 3}", 1, 27, "{\"AWSEBDockerrunVersion\": 3}", 2},
    {"v3-shape", "{\"AWSEBDockerrunVersion\": 3,\n \"containerDefinitions\": []}", 2, 2,
     "{\"AWSEBDockerrunVersion\": 3,\n \"Authentication\": {\"Bucket\": \"b\", \"Key\": \"k\"}}",
     2},
};

/* The document goes to d when it is not NULL (the caller cleans it up). */
static void run_with(const char *json, bool dockerfile, bool compose, struct dr_document *d,
                     struct dr_report *r)
{
	struct dr_companions c;
	c.dockerfile = dockerfile;
	c.compose = compose;
	dr_report_init(r);
	if (d)
		dr_document_init(d);
	dockerrun_validate_buffer("Dockerrun.aws.json", json, strlen(json), &c, d, r);
}

static void run_case(const char *json, int comp, struct dr_report *r)
{
	run_with(json, comp == 1, comp == 2, NULL, r);
}

static void run_doc(const char *json, int comp, struct dr_document *d, struct dr_report *r)
{
	run_with(json, comp == 1, comp == 2, d, r);
}

static const struct dr_diag *find_diag(const struct dr_report *r, const char *rule)
{
	size_t i;
	for (i = 0; i < r->ndiags; i++)
		if (strcmp(r->diags[i].rule, rule) == 0)
			return &r->diags[i];
	return NULL;
}

static size_t count_rule(const struct dr_report *r, const char *rule)
{
	size_t i, n = 0;
	for (i = 0; i < r->ndiags; i++)
		n += strcmp(r->diags[i].rule, rule) == 0;
	return n;
}

static void dump(const struct dr_report *r)
{
	dr_report_print(stderr, r, DR_FORMAT_TEXT, false);
}

static void test_every_rule(void **state)
{
	size_t i, failures = 0;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(cases); i++) {
		const struct rule_case *k = &cases[i];
		struct dr_report r;
		const struct dr_diag *d;
		assert_non_null(dr_rule_find(k->rule));
		/* the failing case never has a docker-compose.yml (v3-compose needs none) */
		run_with(k->fail, k->comp == 1, false, NULL, &r);
		d = find_diag(&r, k->rule);
		if (!d || d->loc.line != k->line || d->loc.col != k->col) {
			fprintf(stderr, "rule %s: wanted at %u:%u, got %s%u:%u\n", k->rule, k->line,
			        k->col, d ? "" : "nothing ", d ? d->loc.line : 0,
			        d ? d->loc.col : 0);
			dump(&r);
			failures++;
		} else if (d->severity != dr_rule_find(k->rule)->severity) {
			fprintf(stderr, "rule %s: severity differs from the table\n", k->rule);
			failures++;
		}
		dr_report_cleanup(&r);
		run_with(k->pass, k->comp == 1, k->comp == 2, NULL, &r);
		if (find_diag(&r, k->rule)) {
			fprintf(stderr, "rule %s: reported on the passing case (companions %d)\n",
			        k->rule, k->comp);
			dump(&r);
			failures++;
		}
		dr_report_cleanup(&r);
	}
	assert_int_equal(failures, 0);
}

/* ---- the bundle rules: emitted by src/bundle and src/deploy/label.c on
 * stderr, with the rule id at the end of the message ---- */

static char bundle_dir[64];

/* The modules' messages as the CLI prints them, for the cases below that
 * look for a rule's tag in stderr. */
static void emit_stderr(void *arg, enum msg_level level, const char *text)
{
	(void)arg;
	fprintf(stderr, "ebctl: %s%s\n", level == MSG_WARNING ? "warning: " : "", text);
}
static const struct msgsink stderr_sink = {emit_stderr, NULL};

static void put_file(const char *name, const char *text, off_t size)
{
	char *path = xasprintf("%s/%s", bundle_dir, name);
	FILE *f;
	if (strchr(name, '/')) {
		char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
		mkdir(dir, 0755);
		free(dir);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	if (size)
		assert_int_equal(ftruncate(fileno(f), size), 0); /* sparse */
	fclose(f);
	free(path);
}

/* Zip the files of bundle_dir that `select` picks as out.zip there. */
static int zip_bundle(bool all)
{
	struct bundle_files files;
	char *zip = xasprintf("%s/out.zip", bundle_dir);
	int rc = bundle_select(bundle_dir, all, zip, &files, &stderr_sink);
	if (!rc) {
		rc = bundle_write_zip(bundle_dir, &files, zip, &stderr_sink);
		bundle_files_cleanup(&files);
	}
	if (!rc)
		rc = bundle_check_zip(zip, NULL, &stderr_sink);
	free(zip);
	return rc;
}

static int root_fail_select(void)
{
	struct bundle_files files;
	put_file("app/Dockerrun.aws.json", V2(WEB), 0);
	return bundle_select(bundle_dir, false, NULL, &files, &stderr_sink);
}

static int root_pass_select(void)
{
	struct bundle_files files;
	int rc;
	put_file("Dockerrun.aws.json", V2(WEB), 0);
	rc = bundle_select(bundle_dir, false, NULL, &files, &stderr_sink);
	if (!rc)
		bundle_files_cleanup(&files);
	return rc;
}

static int root_fail_zip(void)
{
	/* a zip of the folder instead of its contents */
	struct bundle_entry v[] = {
	    {.path = xstrdup("app"), .mode = S_IFDIR | 0755},
	    {.path = xstrdup("app/Dockerrun.aws.json"), .mode = S_IFREG | 0644}};
	struct bundle_files files = {.v = v, .n = 2};
	char *zip = xasprintf("%s/out.zip", bundle_dir), *full;
	struct stat st;
	int rc;
	put_file("app/Dockerrun.aws.json", V2(WEB), 0);
	/* The zip takes the bytes of the file that was listed, and only those. */
	full = xasprintf("%s/app/Dockerrun.aws.json", bundle_dir);
	assert_int_equal(stat(full, &st), 0);
	free(full);
	v[1].size = (uint64_t)st.st_size;
	v[1].dev = st.st_dev;
	v[1].ino = st.st_ino;
	rc = bundle_write_zip(bundle_dir, &files, zip, &stderr_sink);
	assert_int_equal(rc, 0);
	rc = bundle_check_zip(zip, NULL, &stderr_sink);
	free(v[0].path);
	free(v[1].path);
	free(zip);
	return rc;
}

static int root_pass_zip(void)
{
	put_file("Dockerrun.aws.json", V2(WEB), 0);
	return zip_bundle(false);
}

static int size_fail(void)
{
	char *zip = xasprintf("%s/big.zip", bundle_dir);
	int rc;
	put_file("big.zip", "", (off_t)BUNDLE_MAX_BYTES + 1);
	rc = bundle_check_zip(zip, NULL, &stderr_sink);
	free(zip);
	return rc;
}

static int size_pass(void)
{
	put_file("Dockerrun.aws.json", V2(WEB), 0);
	return zip_bundle(false);
}

static int label_fail_slash(void)
{
	return deploy_check_label("feature/x", &stderr_sink);
}

static int label_pass(void)
{
	return deploy_check_label("v1.2.3", &stderr_sink) ||
	       deploy_check_env_name("shop-prod", &stderr_sink);
}

static int label_fail_env(void)
{
	return deploy_check_env_name("abc", &stderr_sink);
}

static int label_fail_description(void)
{
	char text[202];
	char *d;
	memset(text, 'x', 201);
	text[201] = 0;
	d = deploy_description(bundle_dir, text, &stderr_sink);
	free(d);
	return 1; /* a warning: the description is cut, not refused */
}

static int label_pass_description(void)
{
	free(deploy_description(bundle_dir, "fix the login page", &stderr_sink));
	return 0;
}

struct bundle_case {
	const char *rule;
	int (*fail)(void); /* must print [rule] and return non-zero */
	int (*pass)(void); /* must not print [rule], and return 0 */
};

static const struct bundle_case bundle_cases[] = {
    {"bundle-root", root_fail_select, root_pass_select},
    {"bundle-root", root_fail_zip, root_pass_zip},
    {"bundle-size", size_fail, size_pass},
    {"label", label_fail_slash, label_pass},
    {"label", label_fail_env, label_pass},
    {"label", label_fail_description, label_pass_description},
};

/* Run one side of a case in a fresh bundle directory; its stderr into err. */
static int run_bundle_side(int (*fn)(void), struct buf *err)
{
	struct capture cap;
	char *cmd;
	int rc;
	strcpy(bundle_dir, "/tmp/ebctl-unit.XXXXXX");
	assert_non_null(mkdtemp(bundle_dir));
	buf_reset(err);
	capture_start(&cap);
	rc = fn();
	capture_stop(&cap, err);
	cmd = xasprintf("rm -rf '%s'", bundle_dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return rc;
}

static void test_every_bundle_rule(void **state)
{
	struct buf err = BUF_INIT;
	size_t i, failures = 0;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(bundle_cases); i++) {
		const struct bundle_case *k = &bundle_cases[i];
		char *tag = xasprintf("[%s]", k->rule);
		const struct dr_rule *rule = dr_rule_find(k->rule);
		assert_non_null(rule);
		assert_int_equal(rule->scope, DR_SCOPE_BUNDLE);
		if (run_bundle_side(k->fail, &err) == 0 || !strstr(buf_cstr(&err), tag)) {
			fprintf(stderr, "rule %s, case %zu: not reported:\n%s", k->rule, i,
			        buf_cstr(&err));
			failures++;
		}
		if (run_bundle_side(k->pass, &err) != 0 || strstr(buf_cstr(&err), tag)) {
			fprintf(stderr, "rule %s, case %zu: reported on the passing case:\n%s",
			        k->rule, i, buf_cstr(&err));
			failures++;
		}
		free(tag);
	}
	buf_cleanup(&err);
	assert_int_equal(failures, 0);
}

/* Every rule has a case: those validate checks above, the bundle ones here. */
static void test_every_rule_has_a_case(void **state)
{
	size_t i, j;
	(void)state;
	for (i = 0; i < dr_nrules; i++) {
		bool found = false;
		for (j = 0; j < EBCTL_ARRAY_LEN(cases); j++)
			found = found || (strcmp(cases[j].rule, dr_rules[i].id) == 0 &&
			                  dr_rules[i].scope == DR_SCOPE_FILE);
		for (j = 0; j < EBCTL_ARRAY_LEN(bundle_cases); j++)
			found = found || (strcmp(bundle_cases[j].rule, dr_rules[i].id) == 0 &&
			                  dr_rules[i].scope == DR_SCOPE_BUNDLE);
		if (!found)
			fprintf(stderr, "no test case for rule %s\n", dr_rules[i].id);
		assert_true(found);
	}
}

static void test_valid_file_has_no_diagnostics(void **state)
{
	struct dr_document doc;
	struct dr_report r;
	(void)state;
	run_doc(V2(WEB), 0, &doc, &r);
	assert_int_equal(r.ndiags, 0);
	assert_int_equal(r.version, 2);
	assert_true(doc.parsed);
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
}

static void test_companion_files_change_the_verdict(void **state)
{
	static const char v1[] =
	    "{\"AWSEBDockerrunVersion\": 1, \"Ports\": [{\"ContainerPort\": 80}]}";
	struct dr_report r;
	(void)state;
	run_case(v1, 0, &r);
	assert_non_null(find_diag(&r, "v1-image"));
	dr_report_cleanup(&r);
	run_case(v1, 1, &r);
	assert_int_equal(r.errors, 0);
	dr_report_cleanup(&r);
}

static void test_messages_name_values_and_alternatives(void **state)
{
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(V2(WEB ",\n" C("worker", "") ",\n" C("api", ", \"links\": [\"db\", \"worker\"]")),
	         0, &r);
	d = find_diag(&r, "link-target");
	assert_non_null(d);
	assert_string_equal(
	    d->message,
	    "link 'db' of container 'api' names no container; containers are: api, web, worker");
	assert_string_equal(d->pointer, "/containerDefinitions/2/links/0");
	dr_report_cleanup(&r);

	run_case(V2(C("a", ", \"links\": [\"b\"]") ",\n" C("b", ", \"links\": [\"c\"]") ",\n" C(
	             "c", ", \"links\": [\"a\"]")),
	         0, &r);
	d = find_diag(&r, "link-cycle");
	assert_non_null(d);
	assert_string_equal(d->message, "links form a cycle: a -> b -> c -> a");
	dr_report_cleanup(&r);

	run_case(V2(WEB ",\n" C("web", "")), 0, &r);
	d = find_diag(&r, "name-duplicate");
	assert_non_null(d);
	assert_non_null(strstr(d->message, "first at line 3, column 10"));
	dr_report_cleanup(&r);

	run_case(V2(WEB ",\n" C(
	             "api", ", \"portMappings\": [{\"containerPort\": 8080, \"hostPort\": 80}]")),
	         0, &r);
	d = find_diag(&r, "host-port-clash");
	assert_non_null(d);
	assert_non_null(strstr(d->message, "already mapped by container 'web' (line 3, column"));
	dr_report_cleanup(&r);

	run_case(V2("{\"name\": \"web\", \"image\": \"nginx:1\", \"memroy\": 9}"), 0, &r);
	d = find_diag(&r, "unknown-key");
	assert_non_null(d);
	assert_non_null(strstr(d->message, "did you mean 'memory'?"));
	dr_report_cleanup(&r);
}

/* A wrong item of an array of strings is pointed at, and named. */
static void test_string_array_items_pointed_at(void **state)
{
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(V2(WEB ",\n" C("api", ", \"links\": [\"web\", 5],\n \"dnsServers\": [null]")), 0,
	         &r);
	assert_int_equal(r.errors, 2);
	d = &r.diags[0];
	assert_string_equal(d->rule, "type");
	assert_string_equal(d->pointer, "/containerDefinitions/1/links/1");
	assert_int_equal(d->loc.line, 4);
	assert_int_equal(d->loc.col, 66);
	assert_string_equal(d->message,
	                    "'links[1]' of container 'api' is an integer; links are strings");
	d = &r.diags[1];
	assert_string_equal(d->pointer, "/containerDefinitions/1/dnsServers/0");
	assert_int_equal(d->loc.line, 5);
	assert_int_equal(d->loc.col, 17);
	assert_string_equal(d->message,
	                    "'dnsServers[0]' of container 'api' is null; DNS servers are strings");
	dr_report_cleanup(&r);
}

/* A health check command's wrong word is pointed at; a command that is not
 * a list is pointed at as a whole. */
static void test_health_command_items_pointed_at(void **state)
{
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(V2(WEB ",\n" C("api", ", \"healthCheck\":\n {\"command\": [\"CMD\", 1]}")), 0, &r);
	assert_int_equal(count_rule(&r, "health-check"), 1);
	d = find_diag(&r, "health-check");
	assert_string_equal(d->pointer, "/containerDefinitions/1/healthCheck/command/1");
	assert_int_equal(d->loc.line, 5);
	assert_int_equal(d->loc.col, 22);
	assert_string_equal(d->message,
	                    "'healthCheck.command[1]' of container 'api' is an integer; "
	                    "the command's words are strings");
	dr_report_cleanup(&r);
	run_case(V2(WEB ",\n" C("api", ", \"healthCheck\":\n {\"command\": \"curl -f x\"}")), 0,
	         &r);
	d = find_diag(&r, "health-check");
	assert_non_null(d);
	assert_string_equal(d->pointer, "/containerDefinitions/1/healthCheck/command");
	assert_int_equal(d->loc.line, 5);
	assert_int_equal(d->loc.col, 14);
	dr_report_cleanup(&r);
}

/* An environment item that is not an object is env-entry's, at the item. */
static void test_env_items_that_are_not_objects(void **state)
{
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(V2(WEB ",\n" C("api", ", \"environment\": [\"PORT=5000\", \"DEBUG\"]")), 0, &r);
	assert_null(find_diag(&r, "type"));
	assert_int_equal(count_rule(&r, "env-entry"), 2);
	d = &r.diags[0];
	assert_string_equal(d->rule, "env-entry");
	assert_string_equal(d->pointer, "/containerDefinitions/1/environment/0");
	assert_int_equal(d->loc.line, 4);
	assert_int_equal(d->loc.col, 65);
	assert_string_equal(d->message,
	                    "environment[0] of container 'api' must be an object, not "
	                    "a string: write {\"name\": \"PORT\", \"value\": \"5000\"}");
	assert_string_equal(r.diags[1].message,
	                    "environment[1] of container 'api' must be an object {\"name\": ..., "
	                    "\"value\": ...}, not a string");
	dr_report_cleanup(&r);
	/* not an array at all: a list of the wrong type */
	run_case(V2(WEB ",\n" C("api", ", \"environment\": {\"PORT\": \"5000\"}")), 0, &r);
	assert_non_null(find_diag(&r, "type"));
	dr_report_cleanup(&r);
}

static void test_misspelled_required_keys_are_pointed_at(void **state)
{
	static const char text[] = "{\"AWSEBDockerRunVersion\": 2,\n \"containerDefintions\": []}";
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(text, 0, &r);
	d = find_diag(&r, "version-missing");
	assert_non_null(d);
	assert_int_equal(d->loc.line, 1);
	assert_int_equal(d->loc.col, 2);
	assert_non_null(strstr(d->message, "'AWSEBDockerRunVersion' is spelled differently"));
	d = find_diag(&r, "containers-empty");
	assert_non_null(d);
	assert_int_equal(d->loc.line, 2);
	assert_int_equal(d->loc.col, 2);
	assert_string_equal(d->pointer, "/containerDefintions");
	assert_non_null(strstr(d->message, "'containerDefintions' is spelled differently"));
	dr_report_cleanup(&r);
}

/* The keys of AWS's references are known: v1's Entrypoint and Command (in
 * its own example), v2's executionRoleArn. */
static void test_documented_keys_are_known(void **state)
{
	static const char v1[] =
	    "{\"AWSEBDockerrunVersion\": \"1\", \"Image\": {\"Name\": \"janedoe/image:1\", "
	    "\"Update\": \"true\"}, \"Ports\": [{\"ContainerPort\": \"1234\"}], \"Volumes\": "
	    "[{\"HostDirectory\": \"/var/app/mydb\", \"ContainerDirectory\": \"/etc/mysql\"}], "
	    "\"Logging\": \"/var/log/nginx\", \"Entrypoint\": \"/app/bin/myapp\", \"Command\": "
	    "\"--argument\"}";
	static const char v2[] = "{\"AWSEBDockerrunVersion\": 2, \"executionRoleArn\": "
	                         "\"arn:aws:iam::111122223333:role/ecsTaskExecutionRole\",\n"
	                         "\"containerDefinitions\": [" WEB "]}";
	struct dr_report r;
	(void)state;
	run_case(v1, 0, &r);
	assert_null(find_diag(&r, "unknown-key"));
	dr_report_cleanup(&r);
	run_case(v2, 0, &r);
	assert_int_equal(r.ndiags, 0);
	dr_report_cleanup(&r);
}

/* Under a misspelt containerDefinitions, the containers are checked too. */
static void test_containers_under_a_misspelt_key(void **state)
{
	static const char *const keys[] = {"containerDefinition", "ContainerDefinitions"};
	struct buf b = BUF_INIT;
	struct dr_document doc;
	struct dr_report r;
	const struct dr_diag *d;
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(keys); i++) {
		buf_reset(&b);
		buf_printf(
		    &b,
		    "{\"AWSEBDockerrunVersion\": 2,\n\"%s\": [" C(
		        "web",
		        ",\n \"portMapping\": [{\"hostPort\": 80, \"containerPort\": 80}]") "]}",
		    keys[i]);
		run_doc(buf_cstr(&b), 0, &doc, &r);
		d = find_diag(&r, "containers-empty");
		assert_non_null(d);
		assert_int_equal(d->loc.line, 2);
		assert_int_equal(d->loc.col, 1);
		assert_int_equal(count_rule(&r, "unknown-key"), 2);
		d = &r.diags[r.ndiags - 1];
		assert_string_equal(d->rule, "unknown-key");
		assert_int_equal(d->loc.line, 3);
		assert_int_equal(d->loc.col, 2);
		assert_string_equal(d->message,
		                    "unknown key 'portMapping' in a container definition; "
		                    "did you mean 'portMappings'?");
		buf_reset(&b);
		buf_printf(&b, "/%s/0/portMapping", keys[i]);
		assert_string_equal(d->pointer, buf_cstr(&b));
		assert_int_equal(doc.ncontainers, 0);
		dr_report_cleanup(&r);
		dr_document_cleanup(&doc);
	}
	/* not an array of objects: nothing more to check */
	run_case("{\"AWSEBDockerrunVersion\": 2, \"containerDefinition\": [\"web\"]}", 0, &r);
	assert_int_equal(r.errors, 1);
	assert_string_equal(find_diag(&r, "containers-empty")->rule, "containers-empty");
	dr_report_cleanup(&r);
	buf_cleanup(&b);
}

/* A v3 file with v2 keys deploys (they are ignored): v3-shape warnings,
 * never version-shape (docs/validate.md); the booleans of type. */
static void test_v3_shape_and_readonly(void **state)
{
	struct dr_report r;
	(void)state;
	run_with("{\"AWSEBDockerrunVersion\": 3,\n \"containerDefinitions\": [" WEB "]}", false,
	         true, NULL, &r);
	assert_int_equal(r.errors, 0);
	assert_non_null(find_diag(&r, "v3-shape"));
	assert_null(find_diag(&r, "version-shape"));
	dr_report_cleanup(&r);
	run_case(V2(WEB ",\n" C("api", ", \"readonlyRootFilesystem\": \"yes\"")), 0, &r);
	assert_non_null(find_diag(&r, "type"));
	dr_report_cleanup(&r);
	run_case(V2(WEB ",\n" C("api", ", \"mountPoints\": [{\"sourceVolume\": \"awseb-logs-api\", "
	                               "\"containerPath\": \"/l\", \"readOnly\": 1}]")),
	         0, &r);
	assert_non_null(find_diag(&r, "mount-path"));
	assert_null(find_diag(&r, "type"));
	dr_report_cleanup(&r);
}

static void test_secret_values_never_printed(void **state)
{
	struct dr_report r;
	const struct dr_diag *d;
	(void)state;
	run_case(
	    V2(WEB ",\n" C(
	        "api", ", \"environment\": [{\"name\": \"DB_PASSWORD\", \"value\": \"hunter2\"}]")),
	    0, &r);
	d = find_diag(&r, "env-entry");
	assert_non_null(d);
	assert_int_equal(d->severity, DR_WARNING);
	assert_null(strstr(d->message, "hunter2"));
	dr_report_cleanup(&r);
}

static void test_positions_with_bom_crlf_tabs_utf8(void **state)
{
	static const char text[] =
	    "\xEF\xBB\xBF{\r\n\t\"AWSEBDockerrunVersion\": 2,\r\n\t\"caf\xC3\xA9\": 1, \"x\": 5}";
	struct dr_report r;
	const struct dr_diag *d;
	size_t i;
	(void)state;
	run_case(text, 0, &r);
	for (i = 0, d = NULL; i < r.ndiags; i++)
		if (strcmp(r.diags[i].rule, "unknown-key") == 0 &&
		    strstr(r.diags[i].message, "'x'"))
			d = &r.diags[i];
	assert_non_null(d);
	/* tab = 1 column, é = 1 column, CRLF ends a line, the BOM is not counted */
	assert_int_equal(d->loc.line, 3);
	assert_int_equal(d->loc.col, 13);
	dr_report_cleanup(&r);
}

static void test_hostile_input(void **state)
{
	static const char *const inputs[] = {"",
	                                     "   \n",
	                                     "\x01\x02\xff garbage",
	                                     "[1, 2]",
	                                     "\"str\"",
	                                     "{\"AWSEBDockerrunVersion\": 9223372036854775808}",
	                                     "{\"a\": \"\xff\xfe\"}",
	                                     "{\"a\": 1,}",
	                                     "null"};
	static const char nul_after_number[] =
	    "{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [1\0]}";
	static const char escape_key[] = "{\"AWSEBDockerrunVersion\": 1, \"\\u001b[31m\": 1}";
	size_t i, depth = 100000;
	char *deep = xmalloc(2 * depth + 1);
	struct dr_document doc;
	struct dr_report r;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(inputs); i++) {
		run_doc(inputs[i], 0, &doc, &r);
		assert_int_equal(r.errors, 1);
		assert_string_equal(r.diags[0].rule, "json-syntax");
		assert_false(doc.parsed);
		dr_report_cleanup(&r);
		dr_document_cleanup(&doc);
	}
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = 0;
	run_case(deep, 0, &r);
	assert_int_equal(r.errors, 1);
	assert_non_null(strstr(r.diags[0].message, "maximum parsing depth"));
	dr_report_cleanup(&r);
	free(deep);
	/* NUL bytes in the middle */
	dr_report_init(&r);
	dockerrun_validate_buffer("x", "{\"a\":\0}", 7, NULL, NULL, &r);
	assert_int_equal(r.errors, 1);
	dr_report_cleanup(&r);
	/* jansson takes a NUL after a number as its end: the index scan must
	 * still move on (found by the fuzzer: it looped, allocating) */
	dr_report_init(&r);
	dr_document_init(&doc);
	dockerrun_validate_buffer("x", nul_after_number, sizeof(nul_after_number) - 1, NULL, &doc,
	                          &r);
	assert_true(doc.parsed);
	assert_int_equal(r.errors, 1);
	assert_string_equal(r.diags[0].rule, "type");
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
	/* control characters of the file never reach the terminal raw */
	dr_report_init(&r);
	dockerrun_validate_buffer("x", escape_key, sizeof(escape_key) - 1, NULL, NULL, &r);
	assert_non_null(find_diag(&r, "unknown-key"));
	assert_null(strchr(find_diag(&r, "unknown-key")->message, 0x1b));
	assert_non_null(strstr(find_diag(&r, "unknown-key")->message, "\\x1b[31m"));
	dr_report_cleanup(&r);
}

/* One key many times: every copy is found, the first ones are listed, one
 * more diagnostic counts the rest, and only the last copy (the one jansson
 * keeps) is looked at by the other rules. */
/* A syntax error points at the start of the token it quotes; a NUL byte is
 * named as one, not as the end of the file. */
static void test_syntax_error_positions(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		unsigned line, col;
		const char *message;
	} syntax[] = {
	    {"{\"b\": tru}", 10, 1, 7, "invalid JSON: invalid token near 'tru'"},
	    {"{\"b\":\n  nulll}", 14, 2, 3, "invalid JSON: invalid token near 'nulll'"},
	    {"{\"caf\xc3\xa9\": trux}", 14, 1, 10, "invalid JSON: invalid token near 'trux'"},
	    {"[\"a\" \"bcd\"]", 11, 1, 6, "invalid JSON: ']' expected near '\"bcd\"'"},
	    {"{\"a\": 1} xyz", 12, 1, 10, "invalid JSON: end of file expected near 'xyz'"},
	    /* a string cut short: at the bad character, as jansson says */
	    {"{\"a\": \"ab\ncd\"}", 14, 1, 9, "invalid JSON: unexpected newline near '\"ab'"},
	    {"{\"a\": 1}\0", 9, 1, 9,
	     "invalid JSON: a NUL byte at line 1, column 9 (binary data, or a file saved as "
	     "UTF-16?)"},
	    {"{\"a\":\n\0}", 7, 2, 1,
	     "invalid JSON: a NUL byte at line 2, column 1 (binary data, or a file saved as "
	     "UTF-16?)"},
	    {"{\"a\": \"x\0\"}", 11, 1, 9,
	     "invalid JSON: a NUL byte at line 1, column 9 (binary data, or a file saved as "
	     "UTF-16?)"},
	};
	struct dr_report r;
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(syntax); i++) {
		dr_report_init(&r);
		dockerrun_validate_buffer("x", syntax[i].text, syntax[i].len, NULL, NULL, &r);
		assert_int_equal(r.ndiags, 1);
		assert_string_equal(r.diags[0].rule, "json-syntax");
		assert_string_equal(r.diags[0].message, syntax[i].message);
		if (r.diags[0].loc.line != syntax[i].line || r.diags[0].loc.col != syntax[i].col)
			fail_msg("case %zu: at %u:%u, wanted %u:%u", i, r.diags[0].loc.line,
			         r.diags[0].loc.col, syntax[i].line, syntax[i].col);
		dr_report_cleanup(&r);
	}
}

static void test_many_duplicate_keys(void **state)
{
	struct buf b = BUF_INIT;
	struct dr_report r;
	const struct dr_diag *d;
	size_t i, n = 1000;
	(void)state;
	buf_puts(&b, "{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [" WEB "]");
	for (i = 0; i < n; i++)
		buf_puts(&b, ", \"k\": 1");
	buf_puts(&b, "}");
	dr_report_init(&r);
	dockerrun_validate_buffer("x", b.ptr, b.len, NULL, NULL, &r);
	assert_int_equal(count_rule(&r, "duplicate-key"), 21);
	assert_int_equal(count_rule(&r, "unknown-key"), 1);
	d = &r.diags[20];
	assert_string_equal(d->rule, "duplicate-key");
	/* the first copy starts at column 168, each copy 8 columns after the last */
	assert_string_equal(d->message, "duplicate key 'k' (first at line 1, column 168): only "
	                                "the last value counts; 978 more duplicate keys follow, "
	                                "not listed one by one");
	assert_int_equal(d->loc.col, 168 + 8 * 21);
	d = find_diag(&r, "unknown-key");
	assert_int_equal(d->loc.col, 168 + 8 * (n - 1));
	dr_report_cleanup(&r);
	/* 21 duplicates: all listed, no count */
	buf_reset(&b);
	buf_puts(&b, "{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [" WEB "]");
	for (i = 0; i < 22; i++)
		buf_puts(&b, ", \"k\": 1");
	buf_puts(&b, "}");
	dr_report_init(&r);
	dockerrun_validate_buffer("x", b.ptr, b.len, NULL, NULL, &r);
	assert_int_equal(count_rule(&r, "duplicate-key"), 21);
	assert_null(strstr(r.diags[20].message, "more duplicate keys"));
	dr_report_cleanup(&r);
	buf_cleanup(&b);
}

/* Messages that repeat a name or a list cut it, so that the output stays
 * linear in the file; a long cycle keeps its ends. */
static void test_messages_stay_bounded(void **state)
{
	struct buf b = BUF_INIT, want = BUF_INIT;
	struct dr_report r;
	const struct dr_diag *d;
	char name[301];
	size_t i;
	(void)state;
	buf_puts(&b, HEAD2);
	for (i = 0; i < 12; i++)
		buf_printf(&b,
		           "%s{\"name\": \"a%zu\", \"image\": \"x:1\", \"memory\": 9, "
		           "\"links\": [\"a%zu\"]}",
		           i ? ", " : "", i, (i + 1) % 12);
	buf_puts(&b, TAIL2);
	run_case(buf_cstr(&b), 0, &r);
	d = find_diag(&r, "link-cycle");
	assert_non_null(d);
	assert_string_equal(d->message, "links form a cycle: a0 -> a1 -> a2 -> a3 -> ... (4 more) "
	                                "-> a8 -> a9 -> a10 -> a11 -> a0");
	dr_report_cleanup(&r);

	memset(name, 'n', 300);
	name[300] = 0;
	buf_reset(&b);
	buf_printf(&b,
	           V2(WEB ",\n{\"name\": \"%s\", \"image\": \"x:1\", \"memory\": 9, "
	                  "\"portMappings\": [{\"containerPort\": 8080, \"hostPort\": 80}], "
	                  "\"links\": [\"db\"]}"),
	           name);
	run_case(buf_cstr(&b), 0, &r);
	buf_printf(&want, "host port 80/tcp of container '%.255s...' is already mapped", name);
	d = find_diag(&r, "host-port-clash");
	assert_non_null(d);
	assert_non_null(strstr(d->message, buf_cstr(&want)));
	buf_reset(&want);
	buf_printf(&want, "containers are: %.255s..., ...", name);
	d = find_diag(&r, "link-target");
	assert_non_null(d);
	assert_non_null(strstr(d->message, buf_cstr(&want)));
	dr_report_cleanup(&r);
	buf_cleanup(&b);
	buf_cleanup(&want);
}

static void test_model(void **state)
{
	struct dr_document doc;
	struct dr_report r;
	const struct dr_container *c;
	(void)state;
	run_doc(
	    "{\"AWSEBDockerrunVersion\": 2,\n\"volumes\": [{\"name\": \"v\", \"host\": "
	    "{\"sourcePath\": \"/d\"}}],\n"
	    "\"containerDefinitions\": [" WEB ",\n" C(
	        "api",
	        ", \"links\": [\"web:front\"], \"essential\": false, "
	        "\"environment\": [{\"name\": \"A\", \"value\": \"1\"}], \"mountPoints\": "
	        "[{\"sourceVolume\": \"v\", \"containerPath\": \"/d\", \"readOnly\": true}]") "]}",
	    0, &doc, &r);
	assert_int_equal(doc.version, 2);
	assert_int_equal(doc.ncontainers, 2);
	c = &doc.containers[1];
	assert_string_equal(c->name, "api");
	assert_string_equal(c->image, "app:1");
	assert_int_equal(c->memory, 64);
	assert_false(c->essential);
	assert_int_equal(c->nlinks, 1);
	assert_string_equal(c->links[0].target, "web");
	assert_string_equal(c->links[0].alias, "front");
	assert_int_equal(c->nenv, 1);
	assert_string_equal(c->env[0].value, "1");
	assert_int_equal(c->nmounts, 1);
	assert_true(c->mounts[0].read_only);
	assert_int_equal(doc.containers[0].nports, 1);
	assert_int_equal(doc.containers[0].ports[0].host_port, 80);
	assert_string_equal(doc.containers[0].ports[0].protocol, "tcp");
	assert_int_equal(doc.nvolumes, 1);
	assert_string_equal(doc.volumes[0].source_path, "/d");
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
}

/* The document stands on its own: parsing builds the model and runs no
 * check, and render takes the document with no report in sight. */
static void test_document_without_checks(void **state)
{
	static const char no_memory[] = HEAD2 "{\"name\": \"web\", \"image\": \"nginx:1.25\", "
	                                      "\"portMappings\": [{\"hostPort\": 80, "
	                                      "\"containerPort\": 80}]}" TAIL2;
	struct dr_document doc;
	struct dr_report r;
	struct dr_render_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;
	dr_document_init(&doc);
	dr_report_init(&r);
	assert_int_equal(dr_document_parse(&doc, no_memory, strlen(no_memory), &r), 0);
	assert_true(doc.parsed);
	assert_int_equal(r.ndiags, 0); /* memory-missing is a check's */
	assert_int_equal(doc.version, 2);
	assert_int_equal(doc.ncontainers, 1);
	assert_string_equal(doc.containers[0].name, "web");
	assert_false(doc.containers[0].has_memory);
	assert_int_equal(doc.containers[0].ports[0].host_port, 80);
	dr_report_cleanup(&r); /* the document keeps nothing of the report */
	memset(&o, 0, sizeof(o));
	o.to = DR_RENDER_COMPOSE;
	o.source = "Dockerrun.aws.json";
	f = open_memstream(&text, &len);
	assert_int_equal(dr_render(f, &doc, &o), 0);
	fclose(f);
	assert_non_null(strstr(text, "web:"));
	free(text);
	dr_document_cleanup(&doc);
	dr_document_cleanup(&doc); /* cleaned up twice: still empty */
	assert_null(doc.root);

	/* the parse's own findings, and the checks' on top in a validation */
	dr_report_init(&r);
	assert_int_equal(dr_document_parse(&doc, "{\"a\": 1,}", 10, &r), -1);
	assert_false(doc.parsed);
	assert_int_equal(r.ndiags, 1);
	assert_string_equal(r.diags[0].rule, "json-syntax");
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
	run_doc(no_memory, 0, &doc, &r);
	assert_non_null(find_diag(&r, "memory-missing"));
	assert_int_equal(doc.ncontainers, 1);
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);

	/* no valid version: the checks go by the shape, the model is empty */
	run_doc("{\"containerDefinitions\": [{\"name\": \"web\", \"image\": \"nginx:1.25\"}]}", 0,
	        &doc, &r);
	assert_non_null(find_diag(&r, "version-missing"));
	assert_non_null(find_diag(&r, "memory-missing"));
	assert_int_equal(doc.version, 0);
	assert_int_equal(doc.ncontainers, 0);
	assert_true(doc.parsed);
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
}

static void test_output_forms(void **state)
{
	struct dr_report r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	json_t *j;
	(void)state;
	run_case(V2(WEB ",\n" C("api", ", \"links\": [\"db\"]")), 0, &r);
	f = open_memstream(&text, &len);
	assert_int_equal(dr_report_print(f, &r, DR_FORMAT_GITHUB, false), 0);
	fclose(f);
	assert_non_null(
	    strstr(text, "::error file=Dockerrun.aws.json,line=4,col=59,title=link-target::link "
	                 "'db' of container "
	                 "'api' names no container; containers are: api, web [link-target]\n"));
	free(text);
	f = open_memstream(&text, &len);
	assert_int_equal(dr_report_print(f, &r, DR_FORMAT_TEXT, false), 0);
	fclose(f);
	assert_non_null(strstr(text, "Dockerrun.aws.json:4:59: error: link 'db'"));
	free(text);
	j = dr_report_json(&r);
	assert_false(json_is_true(json_object_get(j, "valid")));
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(j, "diagnostics"), 0), "pointer")),
	                    "/containerDefinitions/1/links/0");
	json_decref(j);
	dr_report_cleanup(&r);
}

/* Render with the messages collected; the output is dropped. */
static int render_said(const char *json, const struct dr_render_opts *base, struct said *said)
{
	struct dr_document doc;
	struct dr_report r;
	struct dr_render_opts o = *base;
	struct msgsink sink = {said_keep, said};
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;
	memset(said, 0, sizeof(*said));
	o.sink = &sink;
	dr_document_init(&doc);
	dr_report_init(&r);
	assert_int_equal(dr_document_parse(&doc, json, strlen(json), &r), 0);
	assert_int_equal(r.ndiags, 0);
	dr_report_cleanup(&r);
	f = open_memstream(&text, &len);
	rc = dr_render(f, &doc, &o);
	fclose(f);
	free(text);
	dr_document_cleanup(&doc);
	return rc;
}

/* render prints nothing: its warnings, errors and notes reach the sink the
 * request names, each at its level, with the text ebctl render shows. */
static void test_render_messages(void **state)
{
	static const char opts[] =
	    V2(C("web", ", \"dockerSecurityOptions\": [\"no-new-privileges\"]"));
	static const char pod[] = V2(
	    C("data", "") ",\n" C("api", ", \"volumesFrom\": [{\"sourceContainer\": \"data\"}]"));
	static const struct dr_replica no_such = {"db", 2};
	struct dr_render_opts o;
	struct said said;
	(void)state;
	memset(&o, 0, sizeof(o));
	o.source = "Dockerrun.aws.json";

	/* a member compose has no place for: a warning, and the render goes on */
	o.to = DR_RENDER_COMPOSE;
	assert_int_equal(render_said(opts, &o, &said), 0);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_WARNING);
	assert_string_equal(said.text[0], "render: 'dockerSecurityOptions' of container 'web' is "
	                                  "not carried over to compose");

	/* a --replicas name that is no container: an error, and no render */
	o.replicas = &no_such;
	o.nreplicas = 1;
	assert_int_equal(render_said(opts, &o, &said), DR_RENDER_EINVAL);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_ERROR);
	assert_string_equal(said.text[0],
	                    "render: --replicas names 'db', which is no container of the file");
	o.replicas = NULL;
	o.nreplicas = 0;

	/* the shared Pod is a note (--quiet silences it), not a warning */
	o.to = DR_RENDER_K8S;
	assert_int_equal(render_said(pod, &o, &said), 0);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_NOTE);
	assert_non_null(
	    strstr(said.text[0], "container 'data' shares the Pod of Deployment 'api'"));
}

/* Kubernetes names: what the API server takes, and two names stay two. */
static void test_k8s_names(void **state)
{
	static const struct {
		const char *in, *out;
	} names[] = {{"web", "web"},   {"1api", "c-1api"}, {"_worker", "worker"},
	             {"a_b", "a-b"},   {"A-b", "a-b"},     {"___", "c"},
	             {"a__-b", "a-b"}, {"web_", "web"},    {"Nginx.Proxy", "nginx-proxy"},
	             {"9", "c-9"},     {"", "c"},          {"é-x", "x"}};
	char a[80], b[80], *x, *y;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		x = rd_k8s_label(names[i].in);
		assert_string_equal(x, names[i].out);
		free(x);
	}
	memset(a, 'a', 78);
	a[78] = 0;
	memcpy(b, a, sizeof(a));
	b[77] = 'b';
	x = rd_k8s_label(a);
	y = rd_k8s_label(b);
	assert_int_equal(strlen(x), 63);
	assert_int_equal(strlen(y), 63);
	assert_string_not_equal(x, y);
	assert_int_equal(strncmp(x, a, 54), 0);
	assert_int_equal(x[54], '-');
	free(x);
	free(y);
	/* a hash that would follow a '-' does not make "--" */
	memset(a, 'a', 78);
	a[53] = '_';
	x = rd_k8s_label(a);
	assert_null(strstr(x, "--"));
	assert_true(strlen(x) <= 63);
	free(x);
}

static void test_env_looks_secret(void **state)
{
	(void)state;
	assert_true(dr_env_looks_secret("DB_PASSWORD", "x"));
	assert_true(dr_env_looks_secret("client_secret", NULL));
	assert_true(dr_env_looks_secret("GITHUB_TOKEN", ""));
	assert_true(dr_env_looks_secret("X", "AKIAIOSFODNN7EXAMPLE"));
	assert_false(dr_env_looks_secret("DB_URL", "postgres://db/app"));
	assert_false(dr_env_looks_secret("TOKENIZER", "on"));
	assert_false(dr_env_looks_secret(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_rule),
	    cmocka_unit_test(test_every_bundle_rule),
	    cmocka_unit_test(test_every_rule_has_a_case),
	    cmocka_unit_test(test_valid_file_has_no_diagnostics),
	    cmocka_unit_test(test_companion_files_change_the_verdict),
	    cmocka_unit_test(test_messages_name_values_and_alternatives),
	    cmocka_unit_test(test_string_array_items_pointed_at),
	    cmocka_unit_test(test_health_command_items_pointed_at),
	    cmocka_unit_test(test_env_items_that_are_not_objects),
	    cmocka_unit_test(test_misspelled_required_keys_are_pointed_at),
	    cmocka_unit_test(test_documented_keys_are_known),
	    cmocka_unit_test(test_containers_under_a_misspelt_key),
	    cmocka_unit_test(test_v3_shape_and_readonly),
	    cmocka_unit_test(test_secret_values_never_printed),
	    cmocka_unit_test(test_positions_with_bom_crlf_tabs_utf8),
	    cmocka_unit_test(test_hostile_input),
	    cmocka_unit_test(test_syntax_error_positions),
	    cmocka_unit_test(test_many_duplicate_keys),
	    cmocka_unit_test(test_messages_stay_bounded),
	    cmocka_unit_test(test_model),
	    cmocka_unit_test(test_document_without_checks),
	    cmocka_unit_test(test_output_forms),
	    cmocka_unit_test(test_render_messages),
	    cmocka_unit_test(test_k8s_names),
	    cmocka_unit_test(test_env_looks_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
