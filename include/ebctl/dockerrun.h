/*
 * Dockerrun.aws.json: the document (parsed with the position of every
 * value, and the model built from it), the checks against the rules of
 * docs/dockerrun-rules.md, the diagnostics they report, and the renderers
 * that take the model (render).
 *
 * Usage:
 *   struct dr_document doc;
 *   struct dr_report r;
 *   dr_document_init(&doc);
 *   dr_report_init(&r);
 *   if (dockerrun_validate_file("Dockerrun.aws.json", NULL, &doc, &r) < 0)
 *           errorf("cannot open '%s': %s", path, strerror(errno));
 *   dr_report_print(stdout, &r, DR_FORMAT_TEXT);
 *   ... doc.containers[i].name ...
 *   dr_report_cleanup(&r);
 *   dr_document_cleanup(&doc);
 *
 * Ownership: a struct dr_document owns its jansson tree, its index and its
 * model until dr_document_cleanup(); model strings are borrowed from that
 * tree. A struct dr_report owns its diagnostics and their strings until
 * dr_report_cleanup(). Neither points into the other.
 */
#ifndef EBCTL_DOCKERRUN_H
#define EBCTL_DOCKERRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum dr_severity { DR_ERROR = 0, DR_WARNING = 1 };

/* Where a rule applies: validate checks DR_SCOPE_FILE rules; bundle and
 * deploy check the DR_SCOPE_BUNDLE ones (same ids, same report type). */
enum dr_scope { DR_SCOPE_FILE = 0, DR_SCOPE_BUNDLE = 1 };

/* One rule of the reference: stable id, default severity, one line. A rule
 * whose main severity is error may also emit warnings for milder cases
 * (v1-ports, env-entry, volume-name): `also_warns` says so. */
struct dr_rule {
	const char *id;
	enum dr_severity severity;
	bool also_warns;
	enum dr_scope scope;
	const char *section; /* "File and version", "Version 1", ... */
	const char *summary;
};
extern const struct dr_rule dr_rules[];
extern const size_t dr_nrules;
/* The rule with that id, or NULL. */
const struct dr_rule *dr_rule_find(const char *id);

/* A position in the text: 1-based line and column (columns count
 * characters, not bytes; a tab is one column; a BOM is not counted).
 * line 0 means "the file as a whole" (it could not be read or parsed at all).
 */
struct dr_loc {
	unsigned line;
	unsigned col;
};

struct dr_diag {
	const char *rule; /* static: an id from dr_rules */
	enum dr_severity severity;
	struct dr_loc loc;
	char *pointer; /* RFC 6901 JSON pointer of the value ("" = the document) */
	char *message; /* names the value, the alternatives, the other place */
	size_t seq_;   /* private: insertion order, for a stable sort */
};

/* ---- the document: the model (read by render, bundle, deploy, doctor) ----
 * Every field mirrors the file; absent or null values are NULL / 0 /
 * has_* false. `loc` is the position of the item's value in the file. */
struct dr_port {
	long container_port;  /* 0 when missing or not an integer */
	long host_port;       /* 0 = dynamic */
	const char *protocol; /* "tcp" when absent */
	struct dr_loc loc;
};

struct dr_link {
	const char *target; /* the container named (before ':'), owned by the document */
	const char *alias;  /* after ':', or NULL */
	struct dr_loc loc;
};

struct dr_env {
	const char *name;
	const char *value; /* NULL when not a string */
	struct dr_loc loc;
};

/* Whether an environment variable looks like it holds a secret: a name
 * ending in PASSWORD, PASSWD, _TOKEN, PRIVATE_KEY or API_KEY or holding
 * SECRET (any case), or a value that is an AWS access key id. The env-entry
 * warning and render's Kubernetes Secret both ask this. Either may be NULL. */
bool dr_env_looks_secret(const char *name, const char *value);

struct dr_mount {
	const char *source_volume;
	const char *container_path;
	bool read_only;
	struct dr_loc loc;
};

struct dr_volume_from {
	const char *source_container;
	bool read_only;
	struct dr_loc loc;
};

struct dr_container {
	const char *name;  /* NULL when missing */
	const char *image; /* NULL when missing */
	bool has_memory, has_memory_reservation;
	long memory, memory_reservation; /* MiB */
	bool essential;                  /* default true */
	long cpu;
	const json_t *command;     /* array of strings or NULL (borrowed) */
	const json_t *entry_point; /* array of strings or NULL */
	struct dr_port *ports;
	size_t nports;
	struct dr_link *links;
	size_t nlinks;
	struct dr_env *env;
	size_t nenv;
	struct dr_mount *mounts;
	size_t nmounts;
	struct dr_volume_from *volumes_from;
	size_t nvolumes_from;
	const json_t *json; /* the whole containerDefinitions[i] object */
	struct dr_loc loc;
};

struct dr_volume {
	const char *name;
	const char *source_path; /* host.sourcePath, or NULL */
	struct dr_loc loc;
};

/* The model holds what Elastic Beanstalk reads for the version the file
 * declares: nothing but the tree when the version is missing or unknown. */
struct dr_document {
	int version; /* 1, 2, 3; 0 when missing or unknown */
	/* v2 */
	struct dr_container *containers;
	size_t ncontainers;
	struct dr_volume *volumes;
	size_t nvolumes;
	/* v1 */
	const char *image_name; /* Image.Name */
	struct dr_port *v1_ports;
	size_t nv1_ports;
	/* v1/v3 Authentication or v2 authentication */
	const char *auth_bucket, *auth_key;
	bool parsed;  /* the text was valid JSON with an object at the top */
	json_t *root; /* the parsed document (owned), or NULL */
	/* private */
	void *index_; /* the position of every value */
};

struct dr_report; /* below: the diagnostics */

void dr_document_init(struct dr_document *d);
/* Frees the tree, the index and the model and re-initialises; NULL-safe. */
void dr_document_cleanup(struct dr_document *d);

/*
 * Parse `len` bytes of `data` (need not be NUL-terminated; a UTF-8 BOM is
 * skipped) into `d`, which must have been dr_document_init()ed: the tree,
 * the positions and the model. Text that is not JSON, or whose top level
 * is no object, is reported to `diags` (json-syntax), and so are duplicate
 * keys (duplicate-key); nothing else is checked here. Returns 0 when the
 * document is an object (d->parsed), -1 otherwise.
 */
int dr_document_parse(struct dr_document *d, const char *data, size_t len, struct dr_report *diags);

/* ---- the diagnostics of one file ---- */
struct dr_report {
	char *file;            /* the name diagnostics carry */
	int version;           /* the detected AWSEBDockerrunVersion (0 = none) */
	struct dr_diag *diags; /* sorted by position, then rule id */
	size_t ndiags;
	size_t errors, warnings;
	/* private */
	size_t cap_;
};

/* Which companion files stand at the bundle root. */
struct dr_companions {
	bool dockerfile; /* Dockerfile */
	bool compose;    /* docker-compose.yml */
};

void dr_report_init(struct dr_report *r);
/* Frees the diagnostics and re-initialises the report; NULL-safe. */
void dr_report_cleanup(struct dr_report *r);

/* Append a diagnostic (used by bundle/deploy for the bundle rules): `rule`
 * must be an id from dr_rules (static string); pointer may be NULL. */
void dr_report_add(struct dr_report *r, const char *rule, enum dr_severity sev, struct dr_loc loc,
                   const char *pointer, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * Validate `len` bytes of `data` (need not be NUL-terminated) as a
 * Dockerrun.aws.json called `name` (used in diagnostics): parse it
 * (dr_document_parse) and check it. `comp` says which companion files
 * exist at the bundle root; NULL = look in the directory of `name` (the
 * current directory for "-" or a name with no slash).
 * `out` must have been dr_report_init()ed; it is filled with diagnostics.
 * `doc`, when not NULL, must have been dr_document_init()ed and receives
 * the document (the caller cleans it up); with NULL the document is
 * dropped. Returns 0 when there is no error (warnings allowed), 1 when
 * there are errors. Never fails otherwise.
 */
int dockerrun_validate_buffer(const char *name, const char *data, size_t len,
                              const struct dr_companions *comp, struct dr_document *doc,
                              struct dr_report *out);

/* Largest file validate reads (a Dockerrun file is a few kilobytes). */
#define DR_MAX_FILE_SIZE (8u << 20)

/*
 * Read and validate a file ("-" = stdin, reported as "<stdin>"). Returns as
 * dockerrun_validate_buffer, or -1 with errno set when the file cannot be
 * read (a directory: EISDIR; larger than DR_MAX_FILE_SIZE: EFBIG); the
 * report and the document are then empty and the caller prints the error.
 */
int dockerrun_validate_file(const char *path, const struct dr_companions *comp,
                            struct dr_document *doc, struct dr_report *out);

/* Companion files in directory `dir` (NULL or "" = current directory). */
void dr_companions_probe(const char *dir, struct dr_companions *out);

/* ---- output ---- */
enum dr_format { DR_FORMAT_TEXT = 0, DR_FORMAT_JSON, DR_FORMAT_GITHUB };
/* "text", "json", "github" -> format; -1 when unknown. */
int dr_format_parse(const char *s);

/*
 * Print the report's diagnostics:
 *   text:   file:line:col: error: message [rule-id]   (colour when `color`)
 *   github: ::error file=F,line=L,col=C,title=rule-id::message [rule-id]
 * JSON is built with dr_report_json() (one object per file) and printed by
 * the caller, so several files make one array.
 * Returns 0, or -1 on a write error.
 */
int dr_report_print(FILE *f, const struct dr_report *r, enum dr_format fmt, bool color);

/* {"file", "version", "valid", "errors", "warnings", "diagnostics":
 *  [{"rule","severity","line","column","pointer","message"}]}; caller owns. */
json_t *dr_report_json(const struct dr_report *r);

/* The rule table for docs: "text", "json" or "markdown". Returns 0, or -1
 * on a write error or an unknown format. */
int dr_rules_print(FILE *f, const char *format);

/* ---- render (ebctl render) ---- */
enum dr_render_target { DR_RENDER_COMPOSE = 0, DR_RENDER_K8S, DR_RENDER_ECS };

/* --replicas NAME=N: a container's name in the file and its count. */
struct dr_replica {
	const char *name;
	long n;
};

/* An environment property (--from-env): borrowed strings. */
struct dr_prop {
	const char *name;
	const char *value;
};

struct msgsink; /* ebctl/util.h */

struct dr_render_opts {
	enum dr_render_target to;
	const char *source; /* names the input in a comment */
	const char *family; /* ecs: the task definition family */
	const struct dr_replica *replicas;
	size_t nreplicas;
	/* --from-env: k8s writes them as a ConfigMap and a Secret named after
	 * props_name, referenced by every container's envFrom; compose refers
	 * every service to env_file (which the caller writes). */
	const struct dr_prop *props;
	size_t nprops;
	const char *props_name;
	const char *env_file;
	/* render's warnings, errors and notes ("render: ..."); NULL drops
	 * them. Borrowed. */
	const struct msgsink *sink;
};

enum { DR_RENDER_EWRITE = -1, DR_RENDER_EINVAL = -2 };

/*
 * Write the model of a version 2 document (d->version == 2) whose file has
 * no errors (the caller checks its report) to f: a docker-compose file, Kubernetes manifests (a
 * Deployment per container, or per group of containers joined by volumesFrom; a Service per
 * container that publishes ports or is linked to, and one per link alias) or an ECS
 * RegisterTaskDefinition input (JSON). Every field that cannot be carried over is named in a
 * warning to o->sink. Returns 0, DR_RENDER_EWRITE on a write or emitter error, DR_RENDER_EINVAL
 * when the model cannot be rendered as asked (two containers with one Kubernetes name, a --replicas
 * name that is no container; an error to o->sink says which; and, saying nothing, a document that
 * is not version 2). Nothing is printed but to f.
 */
int dr_render(FILE *f, const struct dr_document *d, const struct dr_render_opts *o);

#endif
