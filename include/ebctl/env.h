/*
 * The environment a command works on (src/env/): its target (application,
 * environment, region, .elasticbeanstalk/config.yml), events and their
 * de-duplication across polls, `--since`, environment properties, status
 * and health reports, log bundles. The watcher that follows updates is
 * watch.h, the verdict verdict.h; both belong to this layer too.
 */
#ifndef EBCTL_ENV_H
#define EBCTL_ENV_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebctl/util.h"

/* The namespace of environment properties in option settings. */
#define ENVPROP_NAMESPACE "aws:elasticbeanstalk:application:environment"
/* References to Secrets Manager or SSM Parameter Store (values are ARNs). */
#define ENVPROP_SECRETS_NAMESPACE "aws:elasticbeanstalk:application:environmentsecrets"

/* ---- an eb CLI project (.elasticbeanstalk/config.yml) ---- */
/* The eb CLI's config.yml values, exposed for tests: reads `path`,
 * fills the out parameters (caller frees each; NULL when absent). Returns
 * 0, 1 when the file does not exist, or -1 after telling sink the problem. */
int ebcli_config_read(const char *path, const char *branch, char **app, char **region,
                      char **profile, char **env, char **artifact, const struct msgsink *sink);

/* What DIR/.elasticbeanstalk/config.yml says for the current git branch
 * (branch-defaults.<branch or "default">): global.application_name,
 * global.default_region, global.profile, the environment,
 * deploy.artifact. Each NULL when absent. */
struct ebcli_project {
	char *app, *region, *profile, *env, *artifact;
};
/* A missing file is fine (all NULL); an unreadable or malformed one is an
 * error (told to sink). Returns 0 or EBCTL_ERR_INVALID; ebcli_project_cleanup after. */
int ebcli_project_load(const char *dir, struct ebcli_project *p, const struct msgsink *sink);
void ebcli_project_cleanup(struct ebcli_project *p);

/* ---- times ---- */

/* ISO 8601 "2024-01-02T03:04:05(.123)Z" -> epoch milliseconds; -1 on bad
 * input. Fractions beyond milliseconds are truncated. */
int64_t time_parse_iso8601_ms(const char *s);

/* Format epoch milliseconds as "2024-01-02T03:04:05.123Z" (out >= 25 bytes). */
void time_format_iso8601_ms(int64_t ms, char *out, size_t n);

/*
 * `--since`: a duration back from now ("90s", "10m", "1h30m", a bare
 * number of seconds) or an ISO 8601 time ("2024-01-02T03:04:05Z", with or
 * without a fraction, or a bare date "2024-01-02" meaning its midnight
 * UTC). Writes epoch milliseconds to *out_ms; returns -1 (leaving it
 * untouched) on anything else or on a time in the future.
 */
int since_parse(const char *s, int64_t now_ms, int64_t *out_ms);

/* ---- events ---- */

/* One Elastic Beanstalk event. Strings may be NULL; not owned here. */
struct op_event {
	int64_t ms;           /* EventDate, epoch milliseconds */
	const char *severity; /* TRACE DEBUG INFO WARN ERROR FATAL */
	const char *message;
	const char *application;
	const char *environment;
	const char *version;
	const char *request_id;
};

/* Severities from the least to the most severe; -1 for an unknown name.
 * Case-insensitive; "WARNING" is accepted for WARN. */
int severity_rank(const char *severity);

/*
 * De-duplication of events across overlapping polls.
 *
 * A follower asks for events since event_dedupe_since() (which reaches back
 * `window_ms` before the newest event seen, so that events written late
 * with an earlier time, or sharing the newest millisecond, are not missed)
 * and feeds each answer to event_dedupe_feed(). An event is identified by
 * its time and message: each is reported once, in time order, however many
 * polls return it. Events older than the remembered window are dropped as
 * already reported (they were, or they fall before the start).
 */
struct event_dedupe {
	struct seen_event {
		int64_t ms;
		char *message;
	} * seen;
	size_t n, cap;
	int64_t floor_ms;  /* events before this are never reported */
	int64_t newest_ms; /* newest event seen, INT64_MIN before any */
	int64_t window_ms;
};

/* start_ms: report nothing older (INT64_MIN for everything). */
void event_dedupe_init(struct event_dedupe *d, int64_t start_ms, int64_t window_ms);
void event_dedupe_cleanup(struct event_dedupe *d);

/*
 * Feed one poll's events (in any order: the API returns newest first).
 * Writes to order[] (room for n) the indices into batch of the events not
 * reported before, oldest first (ties keep the batch's reverse order, that
 * is the order in which they happened), and returns how many. Remembers
 * them, and forgets events older than the window behind the newest.
 */
size_t event_dedupe_feed(struct event_dedupe *d, const struct op_event *batch, size_t n,
                         size_t *order);

/* The StartTime for the next poll, epoch milliseconds (INT64_MIN: none). */
int64_t event_dedupe_since(const struct event_dedupe *d);

/* A jansson string for bytes that may not be UTF-8 (invalid bytes become
 * '?'); json null for NULL. Never NULL; caller owns the reference. */
struct json_t;
struct json_t *out_json_string(const char *v);

/* Output formats of the operate commands. */
enum op_format { OP_FORMAT_TEXT, OP_FORMAT_JSON };

/*
 * One event as a line, without the newline; caller frees.
 * Text: "2024-01-02T03:04:05Z INFO  message", the severity coloured when
 * `color` (red for ERROR and FATAL, yellow for WARN, dim below INFO).
 * JSON: one compact object per line (JSON Lines) with time, severity,
 * message, application, environment, version and request_id.
 */
char *event_format(const struct op_event *e, enum op_format fmt, bool color);

/* ---- environment properties ---- */

/* One `setenv` argument: KEY=VALUE sets, KEY= removes (value NULL). */
struct envprop {
	char *key;
	char *value;
};

#define ENVPROP_KEY_MAX   128
#define ENVPROP_VALUE_MAX 256

/*
 * Parse "KEY=VALUE" (the value may contain '=') or "KEY=" into *out
 * (caller frees with envprop_cleanup). Keys are 1 to 128 characters of
 * letters, digits and _ . : / + \ - @; values at most 256 bytes. Returns 0,
 * or -1 with a message in err (which names the key but never the value).
 */
int envprop_parse(const char *arg, struct envprop *out, char *err, size_t errlen);
void envprop_cleanup(struct envprop *p);
bool envprop_key_valid(const char *key);

/* What printenv shows for a value: itself with reveal, otherwise a fixed
 * mask that gives away neither the value nor its length ("" stays ""). */
const char *envprop_display(const char *value, bool reveal);

struct eb_option_settings;
struct eb_option_setting;
struct op_target;
/*
 * The environment properties of an opened target (DescribeConfigurationSettings,
 * namespace aws:elasticbeanstalk:application:environment), sorted by name:
 * *props points into *all (caller frees *props with free() and *all with
 * eb_option_settings_cleanup). Returns 0, or a status after printing the
 * AWS error.
 */
int envprop_fetch(struct op_target *t, struct eb_option_settings *all,
                  const struct eb_option_setting ***props, size_t *nprops);

/* ---- the environment a command operates on ---- */

struct aws_client;
struct aws_error;

/* --app/--env/--region/--profile, filled by opts_parse (flags over EBCTL_*),
 * then completed by op_target_open from .elasticbeanstalk/config.yml and
 * the AWS profile. */
struct op_target {
	const char *app;
	const char *env;
	const char *region;
	const char *profile;
	const char *profile_from; /* set when config.yml named the profile */
	/* the command's --timeout in seconds (0: none): bounds every request */
	unsigned long timeout_s;
	char *owned[4];            /* strings read from config.yml or looked up */
	struct aws_client *client; /* open after op_target_open */
	/* the record op_target_open read to check the environment exists; the
	 * first op_describe_env hands it over instead of asking again */
	struct eb_environments *opened;
	/* where the messages of op_* calls on the target go (op_target_open's) */
	const struct msgsink *sink;
};

enum {
	OP_NEED_APP = 1 << 0, /* look the application up from the environment when not given */
	OP_NO_ENV = 1 << 1    /* the command works without an environment (list, platforms) */
};

/*
 * Complete the target (config.yml, profile), require an environment, open
 * the AWS client and check that the environment exists (the application
 * is then filled in when it was not given) (interruptible by interrupt_flag()).
 * Returns 0, or a status after telling sink the problem (kept in
 * t->sink for the calls on the target); EBCTL_ERR_USAGE only when no
 * environment is given.
 */
int op_target_open(struct op_target *t, const struct msgsink *sink, unsigned flags);
void op_target_close(struct op_target *t);

/* DescribeEnvironments of the target into envs (eb_environments_cleanup);
 * the first call after op_target_open takes the record it just read;
 * one environment on success, not found is an error (EBCTL_ERR_INVALID).
 * Returns 0 or a status after a message. */
struct eb_environments;
int op_describe_env(struct op_target *t, struct eb_environments *envs);
/* The records of the environments names of the target's application, read
 * with one DescribeEnvironments (eb_environments_find picks each out); a
 * name without one is an error (EBCTL_ERR_INVALID). Returns 0 or an exit
 * code after a message. */
int op_describe_envs(struct op_target *t, const char *const *names, size_t n,
                     struct eb_environments *envs);

/* Say which of application and environment does not exist, listing the
 * application's environments ("environment 'x' not found in application
 * 'a' (region 'r'); its environments are: b, c"). app may be NULL.
 * Returns EBCTL_ERR_INVALID, the answer told to sink. */
int op_env_not_found(struct aws_client *c, const char *app, const char *env,
                     const struct msgsink *sink);

/* When env is not Ready: the RequestId of the operation in progress (the
 * newest request in its events; caller frees). NULL when it is Ready, or
 * nothing can be told. */
char *op_update_in_progress(struct aws_client *c, const char *app, const char *env);

/* The version env ran before `running` (its rollback target): the newest
 * deployment of another version in its events, else the newest version
 * created before `running`. *label (caller frees) NULL when there is none;
 * `why` says which way it was found. Returns 0, or -1 with err. */
int op_previous_label(struct aws_client *c, const char *app, const char *env, const char *running,
                      char **label, char *why, size_t whylen, struct aws_error *err);

/* The running version label of the target environment (caller frees; NULL
 * when it runs none). Returns 0 or a status after a message. */
int op_running_label(struct op_target *t, char **label);

/* What one bundle may unpack to: bytes written in all (counted, never taken
 * from the sizes the zip declares), times the zip's own size (but at least
 * OP_UNZIP_RATIO_FLOOR bytes), and entries. */
struct op_unzip_limits {
	uint64_t max_total;
	unsigned long max_ratio; /* 0: none */
	uint64_t max_entries;
};
#define OP_UNZIP_MAX_TOTAL   (4ull << 30)
#define OP_UNZIP_MAX_RATIO   200ul
#define OP_UNZIP_MAX_ENTRIES 100000ull
#define OP_UNZIP_RATIO_FLOOR (1ull << 20)
void op_unzip_limits_default(struct op_unzip_limits *lim);
/*
 * Extract the zip file at `zip` into the directory `dir` (created, with
 * parents), within lim (NULL: the defaults). Entries that would land
 * outside dir (absolute paths, "..") are refused; files are opened with
 * O_NOFOLLOW and no component of their path is followed as a link; a
 * symbolic link is left out, with a warning to sink. Returns 0, or
 * EBCTL_ERR_INVALID with why told to sink, after removing what it created.
 */
int op_unzip_limited(const char *zip, const char *dir, const struct op_unzip_limits *lim,
                     const struct msgsink *sink);
/* mkdir -p with mode 0755; 0 or -1 with errno. */
int op_mkdirs(const char *path);

/* Tell sink of a failed AWS call (of the interruption when one stopped it)
 * and return its status. */
int op_aws_fail(const struct aws_error *err, const struct msgsink *sink);

#endif
