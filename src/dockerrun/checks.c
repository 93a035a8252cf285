/*
 * The checks: the rules of docs/dockerrun-rules.md for versions 1, 2 and
 * 3, applied to a parsed document (the jansson tree with positions from
 * the index, parse.c), emitting diagnostics. They judge the file and build
 * nothing: the model is document.c's. dockerrun_validate_buffer() is
 * parse, then check.
 *
 * JSON null counts as absent everywhere: tools that export task definitions
 * write every unset field as null, and Elastic Beanstalk accepts that.
 * Every check that compares items with each other (names, ports, paths)
 * sorts or searches a sorted array, so hostile input stays n log n; and no
 * message repeats more than a bounded part of the file (names are cut at
 * SHOWN_MAX bytes, lists of alternatives at LIST_MAX, cycles at CYCLE_SHOWN
 * containers), so that the output stays linear too.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* A name other messages repeat is cut there (the longest valid name). */
#define SHOWN_MAX 255
/* A list of alternatives stops after this many bytes, or 20 names. */
#define LIST_MAX 200
/* A longer cycle is printed with its first and last few containers. */
#define CYCLE_SHOWN 8

struct ctx {
	struct dr_report *r;
	const struct dr_index *ix;
	struct dr_companions comp;
	struct buf tmp, ptr;
	char *dir; /* bundle root shown in messages */
	/* sorted container names for lookups */
	struct dr_name *names;
	size_t nnames;
	char **who; /* each container as messages name it (shown()) */
	size_t nwho;
	char *names_list; /* container_list(), made once */
};

/* ---- helpers ---- */

static struct dr_val member(const struct ctx *c, struct dr_val o, const char *key)
{
	return dr_val_member(c->ix, o, key);
}

static struct dr_val item(const struct ctx *c, struct dr_val a, size_t i)
{
	return dr_val_item(c->ix, a, i);
}

static void vdiag(struct ctx *c, const char *rule, enum dr_severity sev, uint32_t n, bool at_key,
                  const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT;
	struct dr_loc loc = dr_index_loc(c->ix, n);
	if (at_key && n != DR_NO_NODE && c->ix->nodes[n].key_loc.line)
		loc = c->ix->nodes[n].key_loc;
	buf_reset(&c->ptr);
	if (n != DR_NO_NODE)
		dr_index_pointer(c->ix, n, &c->ptr);
	buf_vprintf(&msg, fmt, ap);
	dr_report_add(c->r, rule, sev, loc, buf_cstr(&c->ptr), "%s", buf_cstr(&msg));
	buf_cleanup(&msg);
}

static void diag(struct ctx *c, const char *rule, enum dr_severity sev, uint32_t n, const char *fmt,
                 ...) EBCTL_PRINTF(5, 6);
static void diag(struct ctx *c, const char *rule, enum dr_severity sev, uint32_t n, const char *fmt,
                 ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, rule, sev, n, false, fmt, ap);
	va_end(ap);
}

static void diag_key(struct ctx *c, const char *rule, enum dr_severity sev, uint32_t n,
                     const char *fmt, ...) EBCTL_PRINTF(5, 6);
static void diag_key(struct ctx *c, const char *rule, enum dr_severity sev, uint32_t n,
                     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, rule, sev, n, true, fmt, ap);
	va_end(ap);
}

/* "line L, column C" of a node, for messages that name the other place. */
static const char *where(struct ctx *c, uint32_t n)
{
	struct dr_loc l = dr_index_loc(c->ix, n);
	buf_reset(&c->tmp);
	buf_printf(&c->tmp, "line %u, column %u", l.line, l.col);
	return buf_cstr(&c->tmp);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* s as messages show it when they repeat it: cut at SHOWN_MAX bytes, at a
 * character boundary, and marked "...". Caller frees. */
static char *shown(const char *s)
{
	size_t n = strlen(s);
	if (n <= SHOWN_MAX)
		return xstrdup(s);
	n = SHOWN_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return xasprintf("%.*s...", (int)n, s);
}

/* Append name to a list of alternatives ("a, b, c"); false once the list is
 * full (20 names or LIST_MAX bytes), after appending ", ...". */
static bool list_add(struct buf *list, size_t *count, const char *name)
{
	char *s;
	if (*count == 20 || list->len > LIST_MAX) {
		buf_puts(list, ", ...");
		return false;
	}
	s = shown(name);
	buf_printf(list, "%s%s", *count ? ", " : "", s);
	free(s);
	(*count)++;
	return true;
}

/* A template placeholder that a CI step substitutes before deploying:
 * <NAME>, $NAME, ${NAME}, {{name}}, %NAME%. */
static bool has_placeholder(const char *s)
{
	const char *p;
	if (strchr(s, '<') && strchr(strchr(s, '<'), '>'))
		return true;
	if (strstr(s, "{{"))
		return true;
	for (p = s; *p; p++) {
		if (*p == '$' && (p[1] == '{' || p[1] == '_' || isalpha((unsigned char)p[1])))
			return true;
		if (*p == '%' && (p[1] == '_' || isalpha((unsigned char)p[1]))) {
			const char *q = p + 1;
			while (*q == '_' || isalnum((unsigned char)*q))
				q++;
			if (*q == '%')
				return true;
		}
	}
	return false;
}

/* ---- unknown keys ---- */

/* The keys of the Elastic Beanstalk developer guide's references for v1 and
 * v2; a container definition takes every ECS container definition
 * parameter, which Elastic Beanstalk passes through. */
static const char *const v1_keys[] = {"AWSEBDockerrunVersion",
                                      "Authentication",
                                      "Image",
                                      "Ports",
                                      "Volumes",
                                      "Logging",
                                      "Entrypoint",
                                      "Command",
                                      NULL};
static const char *const v2_keys[] = {"AWSEBDockerrunVersion", "executionRoleArn",
                                      "containerDefinitions",  "volumes",
                                      "authentication",        NULL};
static const char *const v3_keys[] = {"AWSEBDockerrunVersion", "Authentication", NULL};
static const char *const v1_image_keys[] = {"Name", "Update", NULL};
static const char *const v1_port_keys[] = {"ContainerPort", "HostPort", NULL};
static const char *const v1_volume_keys[] = {"HostDirectory", "ContainerDirectory", NULL};
static const char *const v1_auth_keys[] = {"Bucket", "Key", NULL};
static const char *const v2_auth_keys[] = {"bucket", "key", NULL};
static const char *const volume_keys[] = {"name", "host", "dockerVolumeConfiguration", NULL};
static const char *const host_keys[] = {"sourcePath", NULL};
static const char *const container_keys[] = {"name",
                                             "image",
                                             "repositoryCredentials",
                                             "cpu",
                                             "memory",
                                             "memoryReservation",
                                             "links",
                                             "portMappings",
                                             "essential",
                                             "entryPoint",
                                             "command",
                                             "environment",
                                             "environmentFiles",
                                             "mountPoints",
                                             "volumesFrom",
                                             "linuxParameters",
                                             "secrets",
                                             "dependsOn",
                                             "startTimeout",
                                             "stopTimeout",
                                             "hostname",
                                             "user",
                                             "workingDirectory",
                                             "disableNetworking",
                                             "privileged",
                                             "readonlyRootFilesystem",
                                             "dnsServers",
                                             "dnsSearchDomains",
                                             "extraHosts",
                                             "dockerSecurityOptions",
                                             "interactive",
                                             "pseudoTerminal",
                                             "dockerLabels",
                                             "ulimits",
                                             "logConfiguration",
                                             "healthCheck",
                                             "systemControls",
                                             "resourceRequirements",
                                             "firelensConfiguration",
                                             "credentialSpecs",
                                             "restartPolicy",
                                             "versionConsistency",
                                             NULL};
static const char *const port_keys[] = {"containerPort", "hostPort",           "protocol", "name",
                                        "appProtocol",   "containerPortRange", NULL};
static const char *const env_keys[] = {"name", "value", NULL};
static const char *const mount_keys[] = {"sourceVolume", "containerPath", "readOnly", NULL};
static const char *const vfrom_keys[] = {"sourceContainer", "readOnly", NULL};
static const char *const log_keys[] = {"logDriver", "options", "secretOptions", NULL};
static const char *const health_keys[] = {"command", "interval",    "timeout",
                                          "retries", "startPeriod", NULL};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* The known key closest to `key`: same letters in another case, or a few
 * edits away (a third of the key's length, at least 1, at most 3). */
static const char *suggest(const char *key, const char *const *known)
{
	const char *best = NULL;
	size_t best_d, cap = strlen(key) / 3, d;
	const char *const *k;
	if (cap < 1)
		cap = 1;
	if (cap > 3)
		cap = 3;
	best_d = cap + 1;
	for (k = known; *k; k++)
		if (strcasecmp(*k, key) == 0)
			return *k;
	for (k = known; *k; k++) {
		d = str_edit_distance(key, *k, cap);
		if (d < best_d) {
			best_d = d;
			best = *k;
		}
	}
	return best;
}

/* A member of `o` whose key is a misspelling of `wanted` (another case or a
 * few edits away), or DR_NO_NODE. */
static uint32_t near_key(struct ctx *c, struct dr_val o, const char *wanted)
{
	const char *const list[] = {wanted, NULL};
	const struct dr_node *on;
	size_t i;
	if (o.n == DR_NO_NODE || c->ix->nodes[o.n].type != '{')
		return DR_NO_NODE;
	on = &c->ix->nodes[o.n];
	for (i = 0; i < on->nkids; i++) {
		uint32_t k = c->ix->kids[on->kids + i];
		const char *name;
		if (c->ix->nodes[k].shadowed)
			continue;
		name = dr_index_key(c->ix, k, &c->tmp);
		if (strcmp(name, wanted) != 0 && suggest(name, list))
			return k;
	}
	return DR_NO_NODE;
}

/* Warn about every member of object `o` not in `known`, except those in
 * `skip` (already reported by a more specific rule). Of a duplicate key,
 * only the last copy is looked at: duplicate-key reports the others. */
static void unknown_keys(struct ctx *c, struct dr_val o, const char *const *known,
                         const char *const *skip, const char *what)
{
	const struct dr_node *on;
	size_t i;
	struct buf key = BUF_INIT;
	if (!o.v || !json_is_object(o.v) || o.n == DR_NO_NODE)
		return;
	on = &c->ix->nodes[o.n];
	for (i = 0; i < on->nkids; i++) {
		uint32_t k = c->ix->kids[on->kids + i];
		const char *name, *s;
		if (c->ix->nodes[k].shadowed)
			continue;
		name = dr_index_key(c->ix, k, &key);
		if (in_list(known, name) || (skip && in_list(skip, name)))
			continue;
		s = suggest(name, known);
		if (s)
			diag_key(c, "unknown-key", DR_WARNING, k,
			         "unknown key '%s' in %s; did you mean '%s'?", name, what, s);
		else
			diag_key(c, "unknown-key", DR_WARNING, k,
			         "unknown key '%s' in %s (Elastic Beanstalk ignores it)", name,
			         what);
	}
	buf_cleanup(&key);
}

/* ---- duplicates: sort (key, number), report each later item against the first ---- */

struct dup {
	const char *key;
	long num;
	uint32_t node;
	size_t owner; /* container index, for messages */
};

static int dup_cmp(const void *a, const void *b)
{
	const struct dup *x = a, *y = b;
	int k = strcmp(x->key, y->key);
	if (k)
		return k;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

typedef void (*dup_report_fn)(struct ctx *c, const struct dup *first, const struct dup *again);

static void find_dups(struct ctx *c, struct dup *d, size_t n, dup_report_fn report)
{
	size_t i, first = 0;
	if (n < 2)
		return;
	qsort(d, n, sizeof(*d), dup_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(d[i].key, d[first].key) == 0 && d[i].num == d[first].num)
			report(c, &d[first], &d[i]);
		else
			first = i;
	}
}

struct dups {
	struct dup *v;
	size_t n, cap;
};

static void dups_add(struct dups *d, const char *key, long num, uint32_t node, size_t owner)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n].key = key;
	d->v[d->n].num = num;
	d->v[d->n].node = node;
	d->v[d->n].owner = owner;
	d->n++;
}

/* ---- container names ---- */

/* Index of the (first) container called name, or -1. */
static long find_container(const struct ctx *c, const char *name)
{
	long k = dr_names_find(c->names, c->nnames, name);
	return k < 0 ? -1 : (long)c->names[k].idx;
}

/* "client, nginx, server" (sorted, distinct, see list_add), made once: a
 * file of many bad links or names of one container must not rebuild it. */
static const char *container_list(struct ctx *c)
{
	struct buf list = BUF_INIT;
	size_t i, count = 0;
	if (c->names_list)
		return c->names_list;
	for (i = 0; i < c->nnames; i++) {
		if (i && strcmp(c->names[i].name, c->names[i - 1].name) == 0)
			continue;
		if (!list_add(&list, &count, c->names[i].name))
			break;
	}
	c->names_list = buf_detach(&list, NULL);
	return c->names_list;
}

static bool valid_name(const char *s)
{
	size_t n = 0;
	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return n > 0 && n <= 255;
}

/* ---- version ---- */

static int check_version(struct ctx *c, struct dr_val root)
{
	struct dr_val v = member(c, root, "AWSEBDockerrunVersion");
	const char *s;
	if (!dr_val_present(v)) {
		uint32_t near = near_key(c, root, "AWSEBDockerrunVersion");
		if (near != DR_NO_NODE)
			diag_key(
			    c, "version-missing", DR_ERROR, near,
			    "'AWSEBDockerrunVersion' is missing: '%s' is spelled differently; use "
			    "1 (single container), 2 (multicontainer, ECS) or 3 (docker-compose)",
			    dr_index_key(c->ix, near, &c->tmp));
		else
			diag(c, "version-missing", DR_ERROR, root.n,
			     "'AWSEBDockerrunVersion' is missing; use 1 (single container), 2 "
			     "(multicontainer, ECS) or 3 (docker-compose)");
		return 0;
	}
	if (json_is_integer(v.v)) {
		json_int_t n = json_integer_value(v.v);
		if (n >= 1 && n <= 3)
			return (int)n;
		diag(c, "version-missing", DR_ERROR, v.n,
		     "AWSEBDockerrunVersion %" JSON_INTEGER_FORMAT
		     " is not a Dockerrun version; use 1, 2 or 3",
		     n);
		return 0;
	}
	s = dr_val_str(v);
	if (s && (strcmp(s, "1") == 0 || strcmp(s, "2") == 0 || strcmp(s, "3") == 0)) {
		diag(c, "version-string", DR_WARNING, v.n,
		     "AWSEBDockerrunVersion is the string \"%s\"; write the number %s", s, s);
		return s[0] - '0';
	}
	if (s)
		diag(c, "version-missing", DR_ERROR, v.n,
		     "AWSEBDockerrunVersion '%s' is not a Dockerrun version; use 1, 2 or 3", s);
	else
		diag(c, "version-missing", DR_ERROR, v.n,
		     "AWSEBDockerrunVersion is %s; use the number 1, 2 or 3", type_name(v.v));
	return 0;
}

/* ---- authentication (v1/v3 capitalised, v2 lower case) ---- */

static void check_auth(struct ctx *c, struct dr_val a, const char *rule, const char *bucket,
                       const char *key, const char *const *known)
{
	const char *fields[2] = {bucket, key};
	size_t i;
	if (!dr_val_present(a))
		return;
	if (!json_is_object(a.v)) {
		diag(c, rule, DR_ERROR, a.n,
		     "authentication must be an object {\"%s\": ..., \"%s\": ...}, not %s", bucket,
		     key, type_name(a.v));
		return;
	}
	for (i = 0; i < 2; i++) {
		struct dr_val f = member(c, a, fields[i]);
		const char *s = dr_val_str(f);
		if (!dr_val_present(f))
			diag(c, rule, DR_ERROR, a.n,
			     "authentication has no '%s' (the S3 %s of the registry credentials "
			     "file)",
			     fields[i], i == 0 ? "bucket" : "key");
		else if (!s || !*s)
			diag(c, rule, DR_ERROR, f.n,
			     "authentication '%s' must be a non-empty string", fields[i]);
	}
	unknown_keys(c, a, known, NULL, "authentication");
}

/* ---- version 1 ---- */

static void check_v1(struct ctx *c, struct dr_val root)
{
	struct dr_val image = member(c, root, "Image"), name = member(c, image, "Name");
	struct dr_val update = member(c, image, "Update"), ports = member(c, root, "Ports");
	struct dr_val vols = member(c, root, "Volumes"), logging = member(c, root, "Logging");
	size_t i, nports;
	static const char *const skip[] = {"containerDefinitions", NULL};
	const char *image_name = dr_val_str(name);
	bool need_image = !c->comp.dockerfile;

	if (dr_val_present(image) && !json_is_object(image.v))
		diag(c, "v1-image", DR_ERROR, image.n,
		     "'Image' must be an object such as {\"Name\": \"repo:tag\"}, not %s",
		     type_name(image.v));
	if (dr_val_present(name) && (!json_is_string(name.v) || !*json_string_value(name.v)))
		diag(c, "v1-image", DR_ERROR, name.n, "'Image.Name' must be a non-empty string");
	if (image_name && has_placeholder(image_name))
		diag(c, "placeholder", DR_WARNING, name.n,
		     "'Image.Name' '%s' holds a template placeholder; substitute it before "
		     "deploying",
		     image_name);
	/* a v2 body under the wrong version number: version-shape says it all */
	if (member(c, root, "containerDefinitions").v)
		need_image = false;
	if (!dr_val_present(name) && need_image)
		diag(c, "v1-image", DR_ERROR, dr_val_present(image) ? image.n : root.n,
		     "no 'Image.Name' and no Dockerfile in '%s': Elastic Beanstalk has nothing to "
		     "run; "
		     "add \"Image\": {\"Name\": \"repo:tag\"} or a Dockerfile",
		     c->dir);
	if (dr_val_present(update) && !json_is_boolean(update.v) &&
	    !(json_is_string(update.v) && (strcmp(json_string_value(update.v), "true") == 0 ||
	                                   strcmp(json_string_value(update.v), "false") == 0)))
		diag(c, "v1-volumes", DR_ERROR, update.n,
		     "'Image.Update' must be \"true\" or \"false\"");
	unknown_keys(c, image, v1_image_keys, NULL, "'Image'");

	if (dr_val_present(ports) && !json_is_array(ports.v)) {
		diag(c, "v1-ports", DR_ERROR, ports.n,
		     "'Ports' must be an array such as [{\"ContainerPort\": 80}], not %s",
		     type_name(ports.v));
	} else if (need_image && (!dr_val_present(ports) || json_array_size(ports.v) == 0)) {
		diag(c, "v1-ports", DR_ERROR, dr_val_present(ports) ? ports.n : root.n,
		     "no 'Ports[0].ContainerPort' and no Dockerfile in '%s' to EXPOSE one: "
		     "Elastic Beanstalk does not know which port to proxy",
		     c->dir);
	} else if (dr_val_present(ports)) {
		nports = json_array_size(ports.v);
		for (i = 0; i < nports; i++) {
			struct dr_val p = item(c, ports, i), cp = member(c, p, "ContainerPort");
			struct dr_val hp = member(c, p, "HostPort");
			if (!json_is_object(p.v)) {
				diag(c, "v1-ports", DR_ERROR, p.n,
				     "'Ports[%zu]' must be an object with 'ContainerPort'", i);
				continue;
			}
			if (!dr_val_present(cp)) {
				if (i == 0 && !c->comp.dockerfile)
					diag(c, "v1-ports", DR_ERROR, p.n,
					     "'Ports[0]' has no 'ContainerPort'");
			} else if (json_is_string(cp.v) &&
			           has_placeholder(json_string_value(cp.v))) {
				diag(c, "placeholder", DR_WARNING, cp.n,
				     "'ContainerPort' '%s' holds a template placeholder; "
				     "substitute it before deploying",
				     json_string_value(cp.v));
			} else if (dr_v1_port_value(cp) < 0) {
				diag(c, "v1-ports", DR_ERROR, cp.n,
				     "'ContainerPort' must be a port number 1-65535");
			}
			if (dr_val_present(hp) && dr_v1_port_value(hp) < 0) {
				diag(c, "v1-ports", DR_ERROR, hp.n,
				     "'HostPort' must be a port number 1-65535");
			}
			if (i == 1)
				diag(c, "v1-ports", DR_WARNING, p.n,
				     "only the first port is proxied by Elastic Beanstalk; "
				     "'Ports[%zu]' and later are not reachable through the load "
				     "balancer",
				     i);
			unknown_keys(c, p, v1_port_keys, NULL, "a port");
		}
	}

	if (dr_val_present(vols) && !json_is_array(vols.v)) {
		diag(c, "v1-volumes", DR_ERROR, vols.n, "'Volumes' must be an array, not %s",
		     type_name(vols.v));
	} else if (dr_val_present(vols)) {
		for (i = 0; i < json_array_size(vols.v); i++) {
			struct dr_val v = item(c, vols, i);
			size_t k;
			static const char *const need[] = {"HostDirectory", "ContainerDirectory"};
			if (!json_is_object(v.v)) {
				diag(c, "v1-volumes", DR_ERROR, v.n,
				     "'Volumes[%zu]' must be an object with 'HostDirectory' and "
				     "'ContainerDirectory'",
				     i);
				continue;
			}
			for (k = 0; k < 2; k++) {
				struct dr_val f = member(c, v, need[k]);
				const char *s = dr_val_str(f);
				if (!dr_val_present(f))
					diag(c, "v1-volumes", DR_ERROR, v.n,
					     "'Volumes[%zu]' has no '%s'", i, need[k]);
				else if (!s || !*s)
					diag(c, "v1-volumes", DR_ERROR, f.n,
					     "'%s' must be a non-empty path string", need[k]);
			}
			unknown_keys(c, v, v1_volume_keys, NULL, "a volume");
		}
	}
	if (dr_val_present(logging) && !json_is_string(logging.v))
		diag(c, "v1-volumes", DR_ERROR, logging.n,
		     "'Logging' must be a path string such as \"/var/log/nginx\", not %s",
		     type_name(logging.v));

	check_auth(c, member(c, root, "Authentication"), "v1-auth", "Bucket", "Key", v1_auth_keys);
	{
		struct dr_val cd = member(c, root, "containerDefinitions");
		if (cd.v)
			diag_key(c, "version-shape", DR_ERROR, cd.n,
			         "'containerDefinitions' belongs to version 2, but "
			         "AWSEBDockerrunVersion is 1; "
			         "set it to 2 or describe the container with 'Image' and 'Ports'");
	}
	unknown_keys(c, root, v1_keys, skip, "the top level (version 1)");
}

/* ---- version 3 ---- */

static void check_v3(struct ctx *c, struct dr_val root, uint32_t version_node)
{
	static const char *const ignored[] = {
	    "containerDefinitions", "Image", "Ports", "Volumes", "Logging", "volumes", NULL};
	const char *const *k;
	if (!c->comp.compose)
		diag(c, "v3-compose", DR_ERROR, version_node,
		     "a version 3 file needs a docker-compose.yml at the bundle root; none in '%s'",
		     c->dir);
	for (k = ignored; *k; k++) {
		struct dr_val v = member(c, root, *k);
		if (v.v)
			diag_key(c, "v3-shape", DR_WARNING, v.n,
			         "'%s' is ignored in a version 3 file: docker-compose.yml "
			         "describes the containers",
			         *k);
	}
	check_auth(c, member(c, root, "Authentication"), "v1-auth", "Bucket", "Key", v1_auth_keys);
	unknown_keys(c, root, v3_keys, ignored, "the top level (version 3)");
}

/* ---- version 2 ---- */

struct edge {
	uint32_t from, to;
	uint32_t node; /* the link or volumesFrom entry */
	bool volumes_from;
};

/* A container on the depth-first search's path, and its next edge. */
struct frame {
	uint32_t v, next;
};

struct cross {
	struct dups host_ports;
	struct edge *edges;
	size_t nedges, capedges;
	unsigned char *volume_used;
	struct dr_name *vol_names; /* sorted declared volume names */
	size_t nvol_names;
	char *vol_list; /* "a, b" for messages, made once */
	bool port80;
	bool host_port_unknown; /* a mapping reported as the wrong type: port 80 may be meant */
	bool any_essential;
	size_t nobjects; /* containers that are objects */
};

static void add_edge(struct cross *x, size_t from, size_t to, uint32_t node, bool vf)
{
	if (x->nedges == x->capedges) {
		x->capedges = x->capedges ? 2 * x->capedges : 16;
		x->edges = xrealloc(x->edges, x->capedges * sizeof(*x->edges));
	}
	x->edges[x->nedges].from = (uint32_t)from;
	x->edges[x->nedges].to = (uint32_t)to;
	x->edges[x->nedges].node = node;
	x->edges[x->nedges].volumes_from = vf;
	x->nedges++;
}

static const char *cname(const struct ctx *c, size_t i)
{
	return c->who[i];
}

/* A non-empty array of objects only. */
static bool is_object_array(const json_t *a)
{
	size_t i;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return false;
	for (i = 0; i < json_array_size(a); i++)
		if (!json_is_object(json_array_get(a, i)))
			return false;
	return true;
}

static void check_types(struct ctx *c, struct dr_val ct, const char *who)
{
	/* arrays of strings, and what their items are called in messages */
	static const char *const arrays[][2] = {{"command", "command arguments"},
	                                        {"entryPoint", "entry point arguments"},
	                                        {"links", "links"},
	                                        {"dnsServers", "DNS servers"},
	                                        {"dnsSearchDomains", "DNS search domains"},
	                                        {"dockerSecurityOptions", "security options"}};
	static const char *const bools[] = {"essential",
	                                    "privileged",
	                                    "readonlyRootFilesystem",
	                                    "disableNetworking",
	                                    "interactive",
	                                    "pseudoTerminal",
	                                    NULL};
	static const char *const lists[] = {"portMappings", "environment", "mountPoints",
	                                    "volumesFrom", NULL};
	const char *const *k;
	size_t i, j;
	struct dr_val v = member(c, ct, "cpu");
	if (dr_val_present(v) && !json_is_integer(v.v))
		diag(c, "type", DR_ERROR, v.n,
		     "'cpu' of container '%s' must be an integer (CPU units), not %s", who,
		     type_name(v.v));
	for (j = 0; j < EBCTL_ARRAY_LEN(arrays); j++) {
		const char *key = arrays[j][0];
		v = member(c, ct, key);
		if (!dr_val_present(v))
			continue;
		if (json_is_string(v.v)) {
			diag(c, "type", DR_ERROR, v.n,
			     "'%s' of container '%s' must be an array of strings, not a string: "
			     "write [\"%s\"]",
			     key, who, json_string_value(v.v));
			continue;
		}
		if (!json_is_array(v.v)) {
			diag(c, "type", DR_ERROR, v.n,
			     "'%s' of container '%s' must be an array of strings, not %s", key, who,
			     type_name(v.v));
			continue;
		}
		/* the item that is wrong, where it is */
		for (i = 0; i < json_array_size(v.v); i++) {
			struct dr_val e = item(c, v, i);
			if (!json_is_string(e.v))
				diag(c, "type", DR_ERROR, e.n,
				     "'%s[%zu]' of container '%s' is %s; %s are strings", key, i,
				     who, type_name(e.v), arrays[j][1]);
		}
	}
	for (k = bools; *k; k++) {
		v = member(c, ct, *k);
		if (dr_val_present(v) && !json_is_boolean(v.v))
			diag(c, "type", DR_ERROR, v.n,
			     "'%s' of container '%s' must be true or false, not %s", *k, who,
			     type_name(v.v));
	}
	for (k = lists; *k; k++) {
		v = member(c, ct, *k);
		if (!dr_val_present(v))
			continue;
		if (!json_is_array(v.v)) {
			diag(c, "type", DR_ERROR, v.n,
			     "'%s' of container '%s' must be an array of objects, not %s", *k, who,
			     type_name(v.v));
			continue;
		}
		/* environment items are env-entry's */
		for (i = 0; strcmp(*k, "environment") != 0 && i < json_array_size(v.v); i++) {
			struct dr_val e = item(c, v, i);
			if (!json_is_object(e.v))
				diag(c, "type", DR_ERROR, e.n,
				     "'%s[%zu]' of container '%s' must be an object, not %s", *k, i,
				     who, type_name(e.v));
		}
	}
}

/* [registry/]repo[:tag|@digest]: the ECS character set, lower-case repository. */
static void check_image(struct ctx *c, struct dr_val img, struct dr_val ct, const char *who)
{
	const char *s = dr_val_str(img), *p, *slash, *colon, *at;
	size_t n;
	if (!dr_val_present(img) || (s && !*s)) {
		diag(c, "image-missing", DR_ERROR, dr_val_present(img) ? img.n : ct.n,
		     "container '%s' has no image", who);
		return;
	}
	if (!s) {
		diag(c, "image-missing", DR_ERROR, img.n,
		     "image of container '%s' must be a string, not %s", who, type_name(img.v));
		return;
	}
	n = strlen(s);
	if (n > 255) {
		diag(c, "image-missing", DR_ERROR, img.n,
		     "image of container '%s' is %zu characters long; the limit is 255", who, n);
		return;
	}
	if (has_placeholder(s)) {
		/* a template file: the CI substitutes it; nothing more to check */
		diag(c, "placeholder", DR_WARNING, img.n,
		     "image '%s' of container '%s' holds a template placeholder; substitute it "
		     "before deploying",
		     s, who);
		return;
	}
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_:./#@", *p)) {
			diag(c, "image-missing", DR_ERROR, img.n,
			     "image '%s' of container '%s' has the character '%c', which is not "
			     "allowed in an image name",
			     s, who, isprint((unsigned char)*p) ? *p : '?');
			return;
		}
	if (*s == '/' || *s == ':' || *s == '@' || s[n - 1] == ':' || s[n - 1] == '/' ||
	    s[n - 1] == '@') {
		diag(c, "image-missing", DR_ERROR, img.n,
		     "image '%s' of container '%s' is not [registry/]repo[:tag|@digest]", s, who);
		return;
	}
	at = strchr(s, '@');
	slash = strrchr(s, '/');
	colon = strrchr(slash ? slash : s, ':');
	{
		/* the repository path (after a registry host) must be lower case */
		const char *repo = s, *first = strchr(s, '/'),
		           *end = at      ? at
		                  : colon ? colon
		                          : s + n;
		if (first &&
		    (memchr(s, '.', (size_t)(first - s)) || memchr(s, ':', (size_t)(first - s)) ||
		     strncmp(s, "localhost/", 10) == 0))
			repo = first + 1;
		for (p = repo; p < end; p++)
			if (isupper((unsigned char)*p)) {
				diag(c, "image-missing", DR_ERROR, img.n,
				     "image '%s' of container '%s' has upper-case letters in the "
				     "repository name; Docker rejects it",
				     s, who);
				return;
			}
	}
	if (!at && (!colon || strcmp(colon, ":latest") == 0))
		diag(c, "image-latest", DR_WARNING, img.n,
		     "image '%s' of container '%s' has %s: every deployment may pull a different "
		     "image; pin a tag or a digest",
		     s, who, colon ? "the tag 'latest'" : "no tag");
}

static bool json_positive_int(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) > 0;
}

static void check_memory(struct ctx *c, struct dr_val ct, const char *who)
{
	struct dr_val mem = member(c, ct, "memory"), res = member(c, ct, "memoryReservation");
	struct dr_val vals[2] = {mem, res};
	static const char *const names[2] = {"memory", "memoryReservation"};
	long mib[2] = {0, 0}; /* 0: not a positive integer */
	size_t i;
	if (!dr_val_present(mem) && !dr_val_present(res)) {
		diag(c, "memory-missing", DR_ERROR, ct.n,
		     "container '%s' sets neither 'memory' nor 'memoryReservation' (MiB); ECS "
		     "requires one",
		     who);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (!dr_val_present(vals[i]))
			continue;
		if (!json_positive_int(vals[i].v)) {
			/* a value of the wrong JSON type is the type rule's, as everywhere */
			if (json_is_string(vals[i].v))
				diag(c, "type", DR_ERROR, vals[i].n,
				     "'%s' of container '%s' must be a number of MiB, not a "
				     "string: write %s, not \"%s\"",
				     names[i], who, json_string_value(vals[i].v),
				     json_string_value(vals[i].v));
			else
				diag(c, json_is_integer(vals[i].v) ? "memory-missing" : "type",
				     DR_ERROR, vals[i].n,
				     "'%s' of container '%s' must be a positive integer (MiB), not "
				     "%s",
				     names[i], who,
				     json_is_integer(vals[i].v) ? "zero or negative"
				                                : type_name(vals[i].v));
			continue;
		}
		mib[i] = (long)json_integer_value(vals[i].v);
		if (json_integer_value(vals[i].v) < 4)
			diag(c, "memory-small", DR_WARNING, vals[i].n,
			     "'%s' of container '%s' is %" JSON_INTEGER_FORMAT
			     " MiB; a container needs at least 4 MiB to start",
			     names[i], who, json_integer_value(vals[i].v));
	}
	if (mib[0] && mib[1] && mib[0] < mib[1])
		diag(c, "memory-order", DR_ERROR, mem.n,
		     "'memory' of container '%s' (%ld MiB) is below its 'memoryReservation' (%ld "
		     "MiB, %s)",
		     who, mib[0], mib[1], where(c, res.n));
}

static void env_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "env-entry", DR_WARNING, again->node,
	     "environment variable '%s' is set twice in container '%s' (also at %s); only one "
	     "value reaches the container",
	     again->key, cname(c, again->owner), where(c, first->node));
}

static void check_env(struct ctx *c, struct dr_val ct, size_t idx, const char *who)
{
	struct dr_val env = member(c, ct, "environment");
	struct dups d = {NULL, 0, 0};
	size_t i, n;
	if (!dr_val_present(env) || !json_is_array(env.v))
		return;
	n = json_array_size(env.v);
	for (i = 0; i < n; i++) {
		struct dr_val e = item(c, env, i), name = member(c, e, "name"),
		              value = member(c, e, "value");
		const char *ns = dr_val_str(name), *vs = dr_val_str(value);
		if (!json_is_object(e.v)) {
			const char *s = dr_val_str(e), *eq = s ? strchr(s, '=') : NULL;
			if (eq && eq > s)
				diag(c, "env-entry", DR_ERROR, e.n,
				     "environment[%zu] of container '%s' must be an object, not a "
				     "string: write {\"name\": \"%.*s\", \"value\": \"%s\"}",
				     i, who, (int)(eq - s), s, eq + 1);
			else
				diag(c, "env-entry", DR_ERROR, e.n,
				     "environment[%zu] of container '%s' must be an object "
				     "{\"name\": ..., \"value\": ...}, not %s",
				     i, who, type_name(e.v));
			continue;
		}
		if (!ns || !*ns) {
			diag(c, "env-entry", DR_ERROR, dr_val_present(name) ? name.n : e.n,
			     "environment[%zu] of container '%s' needs a non-empty string 'name'",
			     i, who);
		}
		if (!vs) {
			if (dr_val_present(value) &&
			    (json_is_number(value.v) || json_is_boolean(value.v)))
				diag(c, "env-entry", DR_ERROR, value.n,
				     "value of environment variable '%s' in container '%s' must be "
				     "a string: write it in quotes",
				     ns ? ns : "?", who);
			else
				diag(c, "env-entry", DR_ERROR,
				     dr_val_present(value) ? value.n : e.n,
				     "environment variable '%s' in container '%s' needs a string "
				     "'value'",
				     ns ? ns : "?", who);
		}
		if (ns)
			dups_add(&d, ns, 0, name.n, idx);
		if (ns && vs && *vs && dr_env_looks_secret(ns, vs))
			diag(c, "env-entry", DR_WARNING, value.n,
			     "environment variable '%s' of container '%s' looks like a secret in "
			     "plain text; "
			     "set it as an environment property instead (ebctl setenv)",
			     ns, who);
		unknown_keys(c, e, env_keys, NULL, "an environment entry");
	}
	find_dups(c, d.v, d.n, env_dup);
	free(d.v);
}

static void check_log(struct ctx *c, struct dr_val ct, const char *who)
{
	static const char *const drivers[] = {"json-file", "syslog",      "journald",
	                                      "gelf",      "fluentd",     "awslogs",
	                                      "splunk",    "awsfirelens", NULL};
	struct dr_val lc = member(c, ct, "logConfiguration"), drv, opts;
	const char *s;
	if (!dr_val_present(lc))
		return;
	if (!json_is_object(lc.v)) {
		diag(c, "log-driver", DR_ERROR, lc.n,
		     "'logConfiguration' of container '%s' must be an object, not %s", who,
		     type_name(lc.v));
		return;
	}
	drv = member(c, lc, "logDriver");
	s = dr_val_str(drv);
	if (!dr_val_present(drv))
		diag(c, "log-driver", DR_ERROR, lc.n,
		     "'logConfiguration' of container '%s' has no 'logDriver'; use one of: "
		     "json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens",
		     who);
	else if (!s || !in_list(drivers, s))
		diag(c, "log-driver", DR_ERROR, drv.n,
		     "log driver '%s' of container '%s' is not supported; use one of: json-file, "
		     "syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens",
		     s ? s : type_name(drv.v), who);
	opts = member(c, lc, "options");
	if (dr_val_present(opts) && !json_is_object(opts.v)) {
		diag(c, "log-driver", DR_ERROR, opts.n,
		     "log 'options' of container '%s' must be an object of strings", who);
	} else if (dr_val_present(opts)) {
		/* the index's members, not a lookup per option: linear */
		const struct dr_node *on = &c->ix->nodes[opts.n];
		size_t i;
		for (i = 0; i < on->nkids; i++) {
			uint32_t k = c->ix->kids[on->kids + i];
			const char *key;
			const json_t *v;
			if (c->ix->nodes[k].shadowed || c->ix->nodes[k].type == '"')
				continue;
			key = dr_index_key(c->ix, k, &c->tmp);
			v = json_object_get(opts.v, key);
			diag(c, "log-driver", DR_ERROR, k,
			     "log option '%s' of container '%s' must be a string, not %s", key, who,
			     v ? type_name(v) : "another type");
		}
	}
	unknown_keys(c, lc, log_keys, NULL, "'logConfiguration'");
}

static void check_health(struct ctx *c, struct dr_val ct, const char *who)
{
	static const struct {
		const char *key;
		long lo, hi;
	} ranges[] = {
	    {"interval", 5, 300}, {"timeout", 2, 60}, {"retries", 1, 10}, {"startPeriod", 0, 300}};
	struct dr_val hc = member(c, ct, "healthCheck"), cmd;
	size_t i;
	if (!dr_val_present(hc))
		return;
	if (!json_is_object(hc.v)) {
		diag(c, "health-check", DR_WARNING, hc.n,
		     "'healthCheck' of container '%s' must be an object", who);
		return;
	}
	cmd = member(c, hc, "command");
	if (dr_val_present(cmd) && json_is_array(cmd.v) && json_array_size(cmd.v) > 0) {
		/* the item that is wrong, where it is */
		for (i = 0; i < json_array_size(cmd.v); i++) {
			struct dr_val e = item(c, cmd, i);
			if (!json_is_string(e.v))
				diag(c, "health-check", DR_WARNING, e.n,
				     "'healthCheck.command[%zu]' of container '%s' is %s; the "
				     "command's words are strings",
				     i, who, type_name(e.v));
		}
	} else {
		diag(c, "health-check", DR_WARNING, dr_val_present(cmd) ? cmd.n : hc.n,
		     "'healthCheck.command' of container '%s' must be a non-empty array of strings "
		     "such as [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]",
		     who);
	}
	for (i = 0; i < EBCTL_ARRAY_LEN(ranges); i++) {
		struct dr_val v = member(c, hc, ranges[i].key);
		if (!dr_val_present(v))
			continue;
		if (!json_is_integer(v.v) || json_integer_value(v.v) < ranges[i].lo ||
		    json_integer_value(v.v) > ranges[i].hi)
			diag(
			    c, "health-check", DR_WARNING, v.n,
			    "healthCheck '%s' of container '%s' must be an integer from %ld to %ld",
			    ranges[i].key, who, ranges[i].lo, ranges[i].hi);
	}
	unknown_keys(c, hc, health_keys, NULL, "'healthCheck'");
}

static bool reserved_port(long p)
{
	return p == 22 || p == 2375 || p == 2376 || (p >= 51678 && p <= 51680) || p >= 32768;
}

static void port_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "container-port-dup", DR_ERROR, again->node,
	     "container port %ld/%s is used in more than one port mapping of container '%s' (also "
	     "at %s)",
	     again->num, again->key, cname(c, again->owner), where(c, first->node));
}

static void host_port_clash(struct ctx *c, const struct dup *first, const struct dup *again)
{
	char other[96];
	snprintf(other, sizeof(other), "%s", where(c, first->node));
	diag(c, "host-port-clash", DR_ERROR, again->node,
	     "host port %ld/%s of container '%s' is already mapped by container '%s' (%s)",
	     again->num, again->key, cname(c, again->owner), cname(c, first->owner), other);
}

static void check_ports(struct ctx *c, struct dr_val ct, size_t idx, const char *who,
                        struct cross *x)
{
	struct dr_val pm = member(c, ct, "portMappings");
	struct dups d = {NULL, 0, 0};
	size_t i, n;
	if (!dr_val_present(pm))
		return;
	if (!json_is_array(pm.v)) {
		x->host_port_unknown = true; /* the type rule reports it */
		return;
	}
	n = json_array_size(pm.v);
	for (i = 0; i < n; i++) {
		struct dr_val p = item(c, pm, i), cp = member(c, p, "containerPort");
		struct dr_val hp = member(c, p, "hostPort"), proto = member(c, p, "protocol");
		/* the mapping as far as it is valid, as the model has it */
		struct dr_port port = {0, 0, "tcp", {0, 0}}, *mp = &port;
		const char *ps = dr_val_str(proto);
		if (!json_is_object(p.v)) {
			x->host_port_unknown = true;
			continue;
		}
		if (!dr_val_present(cp))
			diag(c, "port-range", DR_ERROR, p.n,
			     "port mapping %zu of container '%s' has no 'containerPort'", i, who);
		else if (!json_is_integer(cp.v) || json_integer_value(cp.v) < 1 ||
		         json_integer_value(cp.v) > 65535)
			diag(c, json_is_integer(cp.v) ? "port-range" : "type", DR_ERROR, cp.n,
			     "'containerPort' of container '%s' must be an integer from 1 to "
			     "65535%s%s",
			     who, json_is_integer(cp.v) ? "" : ", not ",
			     json_is_integer(cp.v) ? "" : type_name(cp.v));
		else
			mp->container_port = (long)json_integer_value(cp.v);
		if (dr_val_present(hp)) {
			if (!json_is_integer(hp.v) || json_integer_value(hp.v) < 0 ||
			    json_integer_value(hp.v) > 65535) {
				diag(c, json_is_integer(hp.v) ? "port-range" : "type", DR_ERROR,
				     hp.n,
				     "'hostPort' of container '%s' must be an integer from 0 to "
				     "65535 (0 = dynamic)%s%s",
				     who, json_is_integer(hp.v) ? "" : ", not ",
				     json_is_integer(hp.v) ? "" : type_name(hp.v));
				/* which port it meant is unknown: no claim about port 80 */
				x->host_port_unknown = true;
			} else {
				mp->host_port = (long)json_integer_value(hp.v);
			}
		}
		if (dr_val_present(proto)) {
			if (!ps || (strcmp(ps, "tcp") != 0 && strcmp(ps, "udp") != 0))
				diag(c, "port-protocol", DR_ERROR, proto.n,
				     "protocol '%s' of container '%s' is not tcp or udp",
				     ps ? ps : type_name(proto.v), who);
			else
				mp->protocol = ps;
		}
		if (mp->container_port)
			dups_add(&d, mp->protocol, mp->container_port,
			         dr_val_present(cp) ? cp.n : p.n, idx);
		if (mp->host_port) {
			dups_add(&x->host_ports, mp->protocol, mp->host_port, hp.n, idx);
			if (mp->host_port == 80)
				x->port80 = true;
			if (reserved_port(mp->host_port))
				diag(c, "host-port-reserved", DR_WARNING, hp.n,
				     "host port %ld of container '%s' is %s; use another port or 0 "
				     "(dynamic)",
				     mp->host_port, who,
				     mp->host_port >= 32768
				         ? "in the ephemeral range Docker and ECS hand out"
				         : "reserved on the instance (SSH, Docker or the ECS "
				           "agent)");
		}
		unknown_keys(c, p, port_keys, NULL, "a port mapping");
	}
	find_dups(c, d.v, d.n, port_dup);
	free(d.v);
}

static bool valid_alias(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static void alias_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "link-alias", DR_WARNING, again->node,
	     "link alias '%s' is used twice in container '%s' (also at %s)", again->key,
	     cname(c, again->owner), where(c, first->node));
}

/* `name`: the container's, or NULL when it has none. */
static void check_links(struct ctx *c, struct dr_val ct, const char *name, size_t idx,
                        const char *who, struct cross *x)
{
	struct dr_val links = member(c, ct, "links");
	struct dups d = {NULL, 0, 0};
	struct dr_link *split; /* the dups point into their targets */
	size_t i, n, nsplit = 0;
	if (!dr_val_present(links) || !json_is_array(links.v))
		return;
	n = json_array_size(links.v);
	split = xcalloc(n ? n : 1, sizeof(*split));
	for (i = 0; i < n; i++) {
		struct dr_val l = item(c, links, i);
		const char *s = dr_val_str(l), *target;
		long to;
		struct dr_link *ml = &split[nsplit];
		if (!s)
			continue; /* the type rule reports it */
		if (!dr_link_split(s, ml)) {
			diag(c, "link-target", DR_ERROR, l.n,
			     "link '%s' of container '%s' is not 'name' or 'name:alias'", s, who);
			continue;
		}
		nsplit++;
		target = ml->target;
		if (ml->alias) {
			if (!valid_alias(ml->alias))
				diag(c, "link-alias", DR_WARNING, l.n,
				     "link alias '%s' of container '%s' is not a valid host name "
				     "(letters, digits, '_', '.', '-')",
				     ml->alias, who);
		}
		dups_add(&d, ml->alias ? ml->alias : ml->target, 0, l.n, idx);
		to = find_container(c, target);
		if (to < 0) {
			diag(c, "link-target", DR_ERROR, l.n,
			     "link '%s' of container '%s' names no container; containers are: %s",
			     target, who, container_list(c));
		} else if ((size_t)to == idx || (name && strcmp(target, name) == 0)) {
			diag(c, "link-self", DR_ERROR, l.n, "container '%s' links to itself", who);
		} else {
			add_edge(x, idx, (size_t)to, l.n, false);
		}
	}
	find_dups(c, d.v, d.n, alias_dup);
	free(d.v);
	for (i = 0; i < nsplit; i++)
		free((char *)split[i].target);
	free(split);
}

static long find_volume(const struct cross *x, const char *name)
{
	return dr_names_find(x->vol_names, x->nvol_names, name);
}

/* The declared volumes, sorted (see list_add), made once. */
static const char *volume_list(struct cross *x)
{
	struct buf list = BUF_INIT;
	size_t k, count = 0;
	if (x->vol_list)
		return x->vol_list;
	for (k = 0; k < x->nvol_names; k++)
		if (!list_add(&list, &count, x->vol_names[k].name))
			break;
	x->vol_list = buf_detach(&list, NULL);
	return x->vol_list;
}

static void mount_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "mount-path", DR_ERROR, again->node,
	     "path '%s' is mounted twice in container '%s' (also at %s)", again->key,
	     cname(c, again->owner), where(c, first->node));
}

static void check_mounts(struct ctx *c, struct dr_val ct, size_t idx, const char *who,
                         struct cross *x)
{
	struct dr_val mps = member(c, ct, "mountPoints"), vf = member(c, ct, "volumesFrom");
	struct dups d = {NULL, 0, 0};
	size_t i, n;
	if (dr_val_present(mps) && json_is_array(mps.v)) {
		n = json_array_size(mps.v);
		for (i = 0; i < n; i++) {
			struct dr_val mp = item(c, mps, i), sv = member(c, mp, "sourceVolume");
			struct dr_val cp = member(c, mp, "containerPath"),
			              ro = member(c, mp, "readOnly");
			const char *svs = dr_val_str(sv), *cps = dr_val_str(cp);
			if (!json_is_object(mp.v))
				continue;
			if (!svs || !*svs) {
				diag(c, "mount-volume", DR_ERROR, dr_val_present(sv) ? sv.n : mp.n,
				     "mount point %zu of container '%s' needs a string "
				     "'sourceVolume'",
				     i, who);
			} else if (find_volume(x, svs) >= 0) {
				x->volume_used[x->vol_names[find_volume(x, svs)].idx] = 1;
			} else if (str_starts_with(svs, "awseb-logs-")) {
				if (find_container(c, svs + 11) < 0)
					diag(c, "mount-volume", DR_ERROR, sv.n,
					     "volume '%s' names no container: 'awseb-logs-' must "
					     "be followed by a container name (%s)",
					     svs, container_list(c));
			} else if (x->nvol_names) {
				diag(c, "mount-volume", DR_ERROR, sv.n,
				     "unknown volume '%s' in container '%s'; volumes are: %s (or "
				     "awseb-logs-<container>)",
				     svs, who, volume_list(x));
			} else {
				diag(c, "mount-volume", DR_ERROR, sv.n,
				     "unknown volume '%s' in container '%s': the file declares no "
				     "volumes (add it to 'volumes', or use awseb-logs-<container>)",
				     svs, who);
			}
			if (!cps || !*cps)
				diag(c, "mount-volume", DR_ERROR, dr_val_present(cp) ? cp.n : mp.n,
				     "mount point %zu of container '%s' needs a string "
				     "'containerPath'",
				     i, who);
			else if (cps[0] != '/')
				diag(
				    c, "mount-path", DR_ERROR, cp.n,
				    "containerPath '%s' of container '%s' must be an absolute path",
				    cps, who);
			else
				dups_add(&d, cps, 0, cp.n, idx);
			if (dr_val_present(ro) && !json_is_boolean(ro.v))
				diag(c, "mount-path", DR_ERROR, ro.n,
				     "'readOnly' must be true or false, not %s", type_name(ro.v));
			unknown_keys(c, mp, mount_keys, NULL, "a mount point");
		}
		find_dups(c, d.v, d.n, mount_dup);
		free(d.v);
	}
	if (dr_val_present(vf) && json_is_array(vf.v)) {
		n = json_array_size(vf.v);
		for (i = 0; i < n; i++) {
			struct dr_val e = item(c, vf, i), sc = member(c, e, "sourceContainer");
			struct dr_val ro = member(c, e, "readOnly");
			const char *s = dr_val_str(sc);
			long from;
			if (!json_is_object(e.v))
				continue;
			if (dr_val_present(ro) && !json_is_boolean(ro.v))
				diag(c, "volumes-from", DR_ERROR, ro.n,
				     "'readOnly' must be true or false, not %s", type_name(ro.v));
			if (!s || !*s) {
				diag(c, "volumes-from", DR_ERROR, dr_val_present(sc) ? sc.n : e.n,
				     "volumesFrom[%zu] of container '%s' needs a string "
				     "'sourceContainer'",
				     i, who);
				continue;
			}
			from = find_container(c, s);
			if (from < 0)
				diag(c, "volumes-from", DR_ERROR, sc.n,
				     "volumesFrom '%s' of container '%s' names no container; "
				     "containers are: %s",
				     s, who, container_list(c));
			else if ((size_t)from == idx)
				diag(c, "volumes-from", DR_ERROR, sc.n,
				     "container '%s' cannot take volumes from itself", who);
			else
				add_edge(x, idx, (size_t)from, sc.n, true);
			unknown_keys(c, e, vfrom_keys, NULL, "a volumesFrom entry");
		}
	}
}

/* "a -> b -> c -> a" for the containers on stack[from..sp) and back to
 * the first; a long cycle keeps its first and last CYCLE_SHOWN / 2. */
static void cycle_text(const struct ctx *c, const struct frame *stack, size_t from, size_t sp,
                       struct buf *out)
{
	size_t k, len = sp - from, half = CYCLE_SHOWN / 2;
	buf_reset(out);
	for (k = from; k < sp; k++) {
		if (len > CYCLE_SHOWN && k == from + half) {
			buf_printf(out, "... (%zu more) -> ", len - 2 * half);
			k = sp - half - 1;
			continue;
		}
		buf_printf(out, "%s -> ", cname(c, stack[k].v));
	}
	buf_puts(out, cname(c, stack[from].v));
}

/* Iterative depth-first search; every back edge closes a cycle, reported
 * once. With `need_vf`, only cycles that use a volumesFrom edge count: a
 * count of volumesFrom edges along the path tells in O(1). */
static void find_cycles(struct ctx *c, const struct edge *edges, size_t nedges, size_t n,
                        const char *rule, bool need_vf)
{
	uint32_t *off = xcalloc(n + 1, sizeof(*off)), *pos = xmalloc((n ? n : 1) * sizeof(*pos));
	const struct edge **adj = xmalloc((nedges ? nedges : 1) * sizeof(*adj));
	uint32_t *nvf = xcalloc(n ? n : 1, sizeof(*nvf));
	unsigned char *color = xcalloc(n ? n : 1, 1);
	struct frame *stack = xmalloc((n ? n : 1) * sizeof(*stack));
	size_t i, sp, s;
	uint32_t *fill = xcalloc(n + 1, sizeof(*fill));
	struct buf cyc = BUF_INIT;

	/* links alone for link-cycle; links and volumesFrom for the start order */
	for (i = 0; i < nedges; i++)
		if (need_vf || !edges[i].volumes_from)
			off[edges[i].from + 1]++;
	for (i = 0; i < n; i++)
		off[i + 1] += off[i];
	for (i = 0; i < nedges; i++)
		if (need_vf || !edges[i].volumes_from)
			adj[off[edges[i].from] + fill[edges[i].from]++] = &edges[i];

	for (s = 0; s < n; s++) {
		if (color[s])
			continue;
		stack[0].v = (uint32_t)s;
		stack[0].next = off[s];
		pos[s] = 0;
		nvf[0] = 0;
		color[s] = 1;
		sp = 1;
		while (sp) {
			struct frame *f = &stack[sp - 1];
			const struct edge *e;
			if (f->next == off[f->v + 1]) {
				color[f->v] = 2;
				sp--;
				continue;
			}
			e = adj[f->next++];
			if (color[e->to] == 0) {
				color[e->to] = 1;
				pos[e->to] = (uint32_t)sp;
				stack[sp].v = e->to;
				stack[sp].next = off[e->to];
				/* volumesFrom edges on the path from stack[0] to here */
				nvf[sp] = nvf[sp - 1] + e->volumes_from;
				sp++;
			} else if (color[e->to] == 1) {
				size_t from = pos[e->to];
				if (need_vf && !e->volumes_from && nvf[sp - 1] == nvf[from])
					continue;
				cycle_text(c, stack, from, sp, &cyc);
				if (need_vf)
					diag(c, rule, DR_WARNING, e->node,
					     "links and volumesFrom form a cycle, so there is no "
					     "start order: %s",
					     buf_cstr(&cyc));
				else
					diag(c, rule, DR_ERROR, e->node, "links form a cycle: %s",
					     buf_cstr(&cyc));
			}
		}
	}
	buf_cleanup(&cyc);
	free(off);
	free(pos);
	free(adj);
	free(nvf);
	free(color);
	free(stack);
	free(fill);
}

static void name_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "name-duplicate", DR_ERROR, again->node,
	     "container name '%s' is used twice (first at %s, /containerDefinitions/%zu/name); "
	     "names must be unique",
	     again->key, where(c, first->node), first->owner);
}

static void volume_dup(struct ctx *c, const struct dup *first, const struct dup *again)
{
	diag(c, "volume-name", DR_ERROR, again->node,
	     "volume name '%s' is declared twice (first at %s)", again->key, where(c, first->node));
}

static void check_volumes(struct ctx *c, struct dr_val root, struct cross *x)
{
	struct dr_val vols = member(c, root, "volumes");
	struct dups d = {NULL, 0, 0};
	size_t i, n, nobjects = 0; /* volumes that are objects, as the model counts */
	if (!dr_val_present(vols))
		return;
	if (!json_is_array(vols.v)) {
		diag(c, "volume-name", DR_ERROR, vols.n, "'volumes' must be an array, not %s",
		     type_name(vols.v));
		return;
	}
	n = json_array_size(vols.v);
	x->vol_names = xmalloc((n ? n : 1) * sizeof(*x->vol_names));
	x->volume_used = xcalloc(n ? n : 1, 1);
	for (i = 0; i < n; i++) {
		struct dr_val v = item(c, vols, i), name = member(c, v, "name"),
		              host = member(c, v, "host");
		struct dr_val sp = member(c, host, "sourcePath");
		const char *ns = dr_val_str(name), *sps = dr_val_str(sp), *p;
		if (!json_is_object(v.v)) {
			diag(c, "volume-name", DR_ERROR, v.n,
			     "volumes[%zu] must be an object with 'name' and 'host'", i);
			continue;
		}
		nobjects++;
		if (!ns || !*ns)
			diag(c, "volume-name", DR_ERROR, dr_val_present(name) ? name.n : v.n,
			     "volumes[%zu] needs a non-empty string 'name'", i);
		else if (!valid_name(ns))
			diag(c, "volume-name", DR_ERROR, name.n,
			     "volume name '%s' must be at most 255 letters, digits, '_' or '-'",
			     ns);
		if (ns && *ns) {
			dups_add(&d, ns, 0, name.n, i);
			x->vol_names[x->nvol_names].name = ns;
			x->vol_names[x->nvol_names].idx = nobjects - 1;
			x->nvol_names++;
		}
		if (dr_val_present(host)) {
			for (p = sps; p && isspace((unsigned char)*p); p++)
				;
			if (!json_is_object(host.v))
				diag(
				    c, "volume-name", DR_ERROR, host.n,
				    "'host' of volume '%s' must be an object {\"sourcePath\": ...}",
				    ns ? ns : "?");
			else if (!p || !*p)
				diag(c, "volume-name", DR_ERROR, dr_val_present(sp) ? sp.n : host.n,
				     "host.sourcePath of volume '%s' should not be blank",
				     ns ? ns : "?");
			unknown_keys(c, host, host_keys, NULL, "'host'");
		}
		unknown_keys(c, v, volume_keys, NULL, "a volume");
	}
	dr_names_sort(x->vol_names, x->nvol_names);
	find_dups(c, d.v, d.n, volume_dup);
	free(d.v);
}

static void check_v2(struct ctx *c, struct dr_val root)
{
	struct dr_val cds = member(c, root, "containerDefinitions");
	struct cross x;
	struct dups names = {NULL, 0, 0};
	static const char *const v1_only[] = {"Image", "Ports", "Volumes", NULL};
	bool misspelt = false; /* checking the containers of a misspelt key */
	const char *const *k;
	size_t i, n;

	memset(&x, 0, sizeof(x));
	for (k = v1_only; *k; k++) {
		struct dr_val v = member(c, root, *k);
		if (v.v)
			diag_key(
			    c, "version-shape", DR_ERROR, v.n,
			    "'%s' is a version 1 key, but AWSEBDockerrunVersion is 2; describe "
			    "containers in 'containerDefinitions' or set the version to 1",
			    *k);
	}
	{
		struct dr_val a1 = member(c, root, "Authentication");
		if (a1.v && !member(c, root, "authentication").v)
			diag_key(c, "unknown-key", DR_WARNING, a1.n,
			         "'Authentication' is the version 1 spelling and is ignored in "
			         "version 2; did you mean 'authentication'?");
	}
	unknown_keys(c, root, v2_keys,
	             (const char *const[]){"Image", "Ports", "Volumes", "Authentication", NULL},
	             "the top level (version 2)");
	check_auth(c, member(c, root, "authentication"), "auth-v2", "bucket", "key", v2_auth_keys);
	check_volumes(c, root, &x);

	if (!dr_val_present(cds) || !json_is_array(cds.v) || json_array_size(cds.v) == 0) {
		uint32_t near = near_key(c, root, "containerDefinitions");
		if (!cds.v && near != DR_NO_NODE) {
			struct dr_val alt = member(c, root, dr_index_key(c->ix, near, &c->tmp));
			diag_key(
			    c, "containers-empty", DR_ERROR, near,
			    "'containerDefinitions' is missing: '%s' is spelled differently, so "
			    "the file has no containers",
			    dr_index_key(c->ix, near, &c->tmp));
			/* Elastic Beanstalk sees no containers, but the next run would
			 * meet the problems of these: report them now */
			if (is_object_array(alt.v)) {
				cds = alt;
				misspelt = true;
			}
		} else if (!cds.v) {
			diag(c, "containers-empty", DR_ERROR, root.n,
			     "'containerDefinitions' is missing: a version 2 file needs a "
			     "non-empty list of containers");
		} else {
			diag(c, "containers-empty", DR_ERROR, cds.n,
			     "'containerDefinitions' must be a non-empty array of containers, not "
			     "%s",
			     json_is_array(cds.v) ? "an empty array" : type_name(cds.v));
		}
		if (!misspelt)
			goto out;
	}
	n = json_array_size(cds.v);
	if (n > 10)
		diag(c, "containers-many", DR_WARNING, cds.n,
		     "%zu containers; ECS allows at most 10 in one task definition (\"Too many "
		     "containers\")",
		     n);
	c->names = xmalloc(n * sizeof(*c->names));
	c->who = xcalloc(n, sizeof(*c->who));
	c->nwho = n;

	/* names first: links and volumesFrom refer to them */
	for (i = 0; i < n; i++) {
		struct dr_val ct = item(c, cds, i), name = member(c, ct, "name");
		const char *s = dr_val_str(name);
		c->who[i] = s && *s ? shown(s) : xasprintf("#%zu", i);
		if (!json_is_object(ct.v)) {
			diag(c, "type", DR_ERROR, ct.n,
			     "containerDefinitions[%zu] must be an object, not %s", i,
			     type_name(ct.v));
			continue;
		}
		if (!s || !*s) {
			diag(c, "name-missing", DR_ERROR, dr_val_present(name) ? name.n : ct.n,
			     "containerDefinitions[%zu] has no name%s", i,
			     dr_val_present(name) && !s ? " (it must be a string)" : "");
			continue;
		}
		if (!valid_name(s))
			diag(c, "name-missing", DR_ERROR, name.n,
			     "container name '%s' must be at most 255 letters, digits, '_' or '-'",
			     s);
		c->names[c->nnames].name = s;
		c->names[c->nnames].idx = i;
		c->nnames++;
		dups_add(&names, s, 0, name.n, i);
	}
	dr_names_sort(c->names, c->nnames);
	find_dups(c, names.v, names.n, name_dup);
	free(names.v);

	for (i = 0; i < n; i++) {
		struct dr_val ct = item(c, cds, i), ess;
		const char *who = c->who[i];
		if (!json_is_object(ct.v))
			continue;
		x.nobjects++;
		check_types(c, ct, who);
		check_image(c, member(c, ct, "image"), ct, who);
		ess = member(c, ct, "essential");
		if (!ess.v || !json_is_false(ess.v))
			x.any_essential = true;
		check_memory(c, ct, who);
		check_env(c, ct, i, who);
		check_log(c, ct, who);
		check_health(c, ct, who);
		check_ports(c, ct, i, who, &x);
		check_links(c, ct, dr_val_str(member(c, ct, "name")), i, who, &x);
		check_mounts(c, ct, i, who, &x);
		unknown_keys(c, ct, container_keys, NULL, "a container definition");
	}
	find_dups(c, x.host_ports.v, x.host_ports.n, host_port_clash);
	if (!x.any_essential && x.nobjects)
		diag(c, "essential-none", DR_ERROR, cds.n,
		     "no container is essential; at least one must have \"essential\": true (or "
		     "omit it)");
	if (!x.port80 && !x.host_port_unknown && x.nobjects)
		diag(c, "no-port-80", DR_WARNING, cds.n,
		     "no container maps host port 80; the environment's load balancer has nothing "
		     "to reach");
	find_cycles(c, x.edges, x.nedges, n, "link-cycle", false);
	find_cycles(c, x.edges, x.nedges, n, "start-order-cycle", true);
out : {
	struct dr_val vols = member(c, root, "volumes");
	size_t mi = 0;
	for (i = 0; vols.v && json_is_array(vols.v) && i < json_array_size(vols.v); i++) {
		struct dr_val vv = item(c, vols, i);
		const char *name = dr_val_str(member(c, vv, "name"));
		long vk;
		if (!json_is_object(vv.v))
			continue;
		vk = name && *name ? find_volume(&x, name) : -1;
		if (vk >= 0 && x.vol_names[vk].idx == mi && !x.volume_used[mi])
			diag(c, "volume-unused", DR_WARNING, member(c, vv, "name").n,
			     "volume '%s' is declared but no container mounts it", name);
		mi++;
	}
}
	free(x.host_ports.v);
	free(x.edges);
	free(x.volume_used);
	free(x.vol_names);
	free(x.vol_list);
}

/* ---- entry points ---- */

static bool is_file(const char *dir, const char *name)
{
	struct stat st;
	char *p = xasprintf("%s/%s", dir && *dir ? dir : ".", name);
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

void dr_companions_probe(const char *dir, struct dr_companions *out)
{
	out->dockerfile = is_file(dir, "Dockerfile");
	out->compose = is_file(dir, "docker-compose.yml");
}

/* The directory of a file name, "." when it has none. Caller frees. */
static char *dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == name)
		return xstrdup("/");
	return xstrndup(name, (size_t)(slash - name));
}

/* The DR_SCOPE_FILE rules on a parsed document (d->parsed), into out. */
static void check_document(const struct dr_document *d, const char *name,
                           const struct dr_companions *comp, struct dr_report *out)
{
	struct ctx c;
	struct dr_val root = {d->root, 0};
	int version;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.r = out;
	c.ix = d->index_;
	c.dir = !name || strcmp(name, "-") == 0 || strcmp(name, "<stdin>") == 0 ? xstrdup(".")
	                                                                        : dir_of(name);
	if (comp)
		c.comp = *comp;
	else
		dr_companions_probe(c.dir, &c.comp);
	version = check_version(&c, root);
	if (!version) {
		/* go on with the version the shape suggests, to report more at once */
		if (json_object_get(root.v, "containerDefinitions") ||
		    near_key(&c, root, "containerDefinitions") != DR_NO_NODE)
			version = 2;
		else if (json_object_get(root.v, "Image") || json_object_get(root.v, "Ports"))
			version = 1;
	} else {
		out->version = version;
	}
	if (version == 1)
		check_v1(&c, root);
	else if (version == 2)
		check_v2(&c, root);
	else if (version == 3)
		check_v3(&c, root, member(&c, root, "AWSEBDockerrunVersion").n);
	buf_cleanup(&c.tmp);
	buf_cleanup(&c.ptr);
	free(c.names);
	for (i = 0; i < c.nwho; i++)
		free(c.who[i]);
	free(c.who);
	free(c.names_list);
	free(c.dir);
}

int dockerrun_validate_buffer(const char *name, const char *data, size_t len,
                              const struct dr_companions *comp, struct dr_document *doc,
                              struct dr_report *out)
{
	struct dr_document local; /* when the caller does not keep the document */
	struct dr_document *d;
	int parsed;
	dr_document_init(&local);
	d = doc ? doc : &local;
	free(out->file);
	out->file = xstrdup(name ? name : "<input>");
	/* the checks read the tree, not the model: none is built to be dropped */
	parsed = doc ? dr_document_parse(d, data, len, out) : dr_parse(d, data, len, out);
	if (parsed == 0)
		check_document(d, name, comp, out);
	dr_report_sort(out);
	dr_document_cleanup(&local);
	return out->errors ? 1 : 0;
}

int dockerrun_validate_file(const char *path, const struct dr_companions *comp,
                            struct dr_document *doc, struct dr_report *out)
{
	struct buf b = BUF_INIT;
	int rc;
	if (buf_read_file(&b, path, DR_MAX_FILE_SIZE) != 0) {
		int e = errno;
		buf_cleanup(&b);
		errno = e;
		return -1;
	}
	rc = dockerrun_validate_buffer(strcmp(path, "-") == 0 ? "<stdin>" : path,
	                               b.ptr ? b.ptr : "", b.len, comp, doc, out);
	buf_cleanup(&b);
	return rc;
}
