/*
 * Command table and option parsing.
 *
 * Each command lives in src/cli/cmd_<name>.c and exports
 *   int cmd_<name>(int argc, char **argv);
 * where argv[0] is the command name. It describes its options as a table of
 * struct opt and calls opts_parse(), which also handles --help (printing the
 * help generated from the table) and the global flags (--debug, --quiet,
 * --no-color) in any position.
 */
#ifndef EBCTL_CLI_H
#define EBCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_END = 0,
	OPT_BOOL,     /* bool *; also accepts --no-NAME */
	OPT_STRING,   /* const char **; the last one wins */
	OPT_LIST,     /* struct strlist *; repeatable, and comma lists are split */
	OPT_DURATION, /* unsigned long * seconds: 90s, 20m, 1h, bare seconds */
	OPT_UINT,     /* unsigned long *, within [min, max] */
	OPT_CHOICE    /* const char **, one of the comma list in `choices` */
};

#include "ebctl/env.h"
#include "ebctl/util.h"

struct opt {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 for none */
	enum opt_type type;
	void *target;
	const char *arg; /* placeholder in help: "NAME", "DURATION" */
	/* one line for --help; NULL: an alias that is accepted (the Travis
	 * names) but listed neither in --help nor in the completions */
	const char *help;
	const char *env;        /* environment variable that sets the default, or NULL */
	unsigned long min, max; /* OPT_UINT range */
	const char *choices;    /* OPT_CHOICE: "text,json,github" */
	/* how the completions offer the value, when the type does not say:
	 * "words:a,b;--flag:a,c" offers a,c once --flag is on the line */
	const char *complete;
};

/*
 * The rows of an option table, one macro per type: each checks the type of
 * its target at compile time (a bool for OPTION_BOOL, a const char * for a
 * string...), so a row cannot store into the wrong kind of variable.
 *   OPTION_BOOL(long, short, &flag, help, env)
 *   OPTION_STRING / OPTION_LIST / OPTION_DURATION(long, short, &v, ARG, help, env)
 *   OPTION_UINT(long, short, &n, ARG, help, env, min, max)
 *   OPTION_CHOICE(long, short, &s, ARG, help, env, "a,b,c")
 *   OPTION_END
 * short is 0 for none, env NULL for none.
 */
#define OPT_TARGET_(type, p) (1 ? (p) : (type)0)
#define OPTION_BOOL(l, s, p, h, e)                                                                 \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_BOOL,                                  \
		.target = OPT_TARGET_(bool *, p), .help = (h), .env = (e)                          \
	}
#define OPTION_STRING(l, s, p, a, h, e)                                                            \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_STRING,                                \
		.target = OPT_TARGET_(const char **, p), .arg = (a), .help = (h), .env = (e)       \
	}
#define OPTION_LIST(l, s, p, a, h, e)                                                              \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_LIST,                                  \
		.target = OPT_TARGET_(struct strlist *, p), .arg = (a), .help = (h), .env = (e)    \
	}
#define OPTION_DURATION(l, s, p, a, h, e)                                                          \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_DURATION,                              \
		.target = OPT_TARGET_(unsigned long *, p), .arg = (a), .help = (h), .env = (e)     \
	}
#define OPTION_UINT(l, s, p, a, h, e, lo, hi)                                                      \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_UINT,                                  \
		.target = OPT_TARGET_(unsigned long *, p), .arg = (a), .help = (h), .env = (e),    \
		.min = (lo), .max = (hi)                                                           \
	}
#define OPTION_CHOICE(l, s, p, a, h, e, c)                                                         \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_CHOICE,                                \
		.target = OPT_TARGET_(const char **, p), .arg = (a), .help = (h), .env = (e),      \
		.choices = (c)                                                                     \
	}
/* A string whose valid values depend on another flag: the command checks
 * them, and comp tells the completions (see struct opt's complete). */
#define OPTION_STRING_COMPLETE(l, s, p, a, h, e, comp)                                             \
	{                                                                                          \
		.name = (l), .short_name = (s), .type = OPT_STRING,                                \
		.target = OPT_TARGET_(const char **, p), .arg = (a), .help = (h), .env = (e),      \
		.complete = (comp)                                                                 \
	}
#define OPTION_END                                                                                 \
	{                                                                                          \
		.name = NULL                                                                       \
	}

struct cmd_help {
	const char *name;
	const char *synopsis; /* after "ebctl NAME " */
	/* the one-line summary is the command table's (commands[]), the same
	 * in `ebctl --help` and `ebctl NAME --help` */
	const char *details; /* paragraphs after the options, or NULL */
};

/*
 * Parse argv (argv[0] is the command). Options and operands may be mixed;
 * "--" ends the options. Operands are compacted to the front of argv+1:
 * on return argv[1..*nargs] are the operands.
 * Environment variables named in the table apply first, flags override.
 * Returns 0 to go on, -1 when --help was printed (exit 0), or
 * EBCTL_ERR_USAGE after printing the problem and a hint.
 */
int opts_parse(const struct cmd_help *h, const struct opt *opts, int argc, char **argv, int *nargs);
void opts_usage(FILE *f, const struct cmd_help *h, const struct opt *opts);
/* `ebctl CMD --completion-helper` (as git's --git-completion-helper): the
 * table the completion scripts are generated from, tab-separated lines
 *   synopsis SYNOPSIS
 *   option|global|alias LONG SHORT ARG KIND HELP   (KIND: flag, words:a,b, dir, file, value)
 * one per row; an alias (a row without help) is completed nowhere. */
void opts_completion_table(FILE *f, const struct cmd_help *h, const struct opt *opts);
/* Convenience: returns the exit status for opts_parse's result. */
#define OPTS_PARSE_OR_RETURN(h, o, argc, argv, n)                                                  \
	do {                                                                                       \
		int rc_ = opts_parse((h), (o), (argc), (argv), (n));                               \
		if (rc_ == -1)                                                                     \
			return 0;                                                                  \
		if (rc_)                                                                           \
			return rc_;                                                                \
	} while (0)

/* --healthy's colours ("Green,Yellow") into a HEALTH_* mask. Returns 0, or
 * EBCTL_ERR_USAGE after the usage error naming cmd. */
int opts_healthy(const char *cmd, const char *value, unsigned *mask);

/* Print "ebctl NAME: message" and a hint; returns EBCTL_ERR_USAGE. */
/* The Dockerrun file a FILE argument names: NULL (no argument) is
 * ./Dockerrun.aws.json, a directory the Dockerrun.aws.json in it, "-" and
 * anything else as given. Caller frees. */
char *dockerrun_path(const char *arg);

/* --endpoint-url URL (before or after the command): AWS_ENDPOINT_URL for
 * every client; url NULL applies the one the parser read, if any. Returns
 * 0 or EBCTL_ERR_USAGE after saying why. */
int opts_endpoint_url(const char *url);
/* One global option at argv[*i], before the command (ebctl --debug CMD),
 * by the same table opts_parse() reads; *i moves past a separate value.
 * Returns 0 or EBCTL_ERR_USAGE after the message. */
int opts_global(int argc, char **argv, int *i);

int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The four option table rows, for a command's struct opt table. */
/* The rows of the account a command talks to: --region and --profile. */
#define OP_ACCOUNT_OPTS(t)                                                                         \
	OPTION_STRING("region", 0, &(t).region, "REGION", "AWS region", "EBCTL_REGION"),           \
	    OPTION_STRING("profile", 0, &(t).profile, "NAME", "AWS profile", "EBCTL_PROFILE")

/* The rows of a configuration update that waits like setenv: --no-wait,
 * --timeout and --healthy. */
#define OP_UPDATE_WAIT_OPTS(no_wait, timeout, healthy)                                             \
	OPTION_BOOL("no-wait", 0, &(no_wait),                                                      \
	            "return once the update is accepted, without a verdict", "EBCTL_NO_WAIT"),     \
	    OPTION_DURATION("timeout", 't', &(timeout), "DURATION",                                \
	                    "bound the whole wait (default 20m)", "EBCTL_TIMEOUT"),                \
	    OPTION_STRING("healthy", 0, &(healthy), "COLOURS",                                     \
	                  "health colours that count as success (default Green)", "EBCTL_HEALTHY")

/* The four rows of a command's target: --app, --env and the account's. */
#define OP_TARGET_OPTS(t)                                                                          \
	OPTION_STRING("app", 'a', &(t).app, "NAME", "application name", "EBCTL_APP"),              \
	    OPTION_STRING("env", 'e', &(t).env, "NAME", "environment name", "EBCTL_ENV"),          \
	    OP_ACCOUNT_OPTS(t)

/* The target rows of a command that works on several environments at
 * once, as deploy does (--env a,b or --env a --env b): the names go to
 * the strlist envs, and op_target_envs makes the first the target's. */
#define OP_TARGET_ENVS_OPTS(t, envs)                                                               \
	OPTION_STRING("app", 'a', &(t).app, "NAME", "application name", "EBCTL_APP"),              \
	    OPTION_LIST("env", 'e', &(envs), "NAME",                                               \
	                "environment name (several: a,b or the option repeated)", "EBCTL_ENV"),    \
	    OP_ACCOUNT_OPTS(t)

/* `ebctl list --app A` (and `status --app A` without --env): the
 * application's environments as a table or JSON. Returns a status. */
struct aws_client;
int list_environments(struct aws_client *c, const char *app, bool json);

/* ---- deploy's rendering, shared (cmd_deploy.c) ---- */
struct deploy_settings;
struct deploy_prune_result;
/* deploy_run with deploy's rendering of events, diagnostics and results
 * (rollback deploys through it). Returns the status. */
int deploy_cli_run(struct deploy_settings *s);
/* What a prune deleted (or would) and kept, as notes. */
void out_pruned(const struct deploy_prune_result *r, bool dry_run);

/* A configuration update of an opened target as setenv and link make it:
 * one UpdateEnvironment of set and remove (either may be NULL) for each
 * environment of envs (NULL or empty: t->env), once all of them are found
 * to exist; a note naming summary and the request of each; then, unless
 * no_wait, one wait for all until each is Ready and healthy again on the
 * version it runs now, and a result line for each. Returns the status
 * (the most serious of the environments'). */
struct op_target;
struct eb_option_settings;
int op_update_settings(struct op_target *t, const struct strlist *envs,
                       struct eb_option_settings *set, struct eb_option_settings *remove,
                       const char *summary, bool no_wait, unsigned long timeout_s,
                       unsigned healthy);

/* The whole of `status` and `health`: options, target, out_status. */
int out_status_main(int argc, char **argv, const struct cmd_help *help, bool health);

/* ---- exit codes (exit.c) ----
 * The exit code of DESIGN.md for a status (EBCTL_OK, EBCTL_ERR_*; anything
 * else is EBCTL_EXIT_INTERNAL): the one place that knows the numbers, used
 * by main and by the outputs that state an exit code (JSON, the summary). */
int cli_exit_code(int status);

/* ---- follow loops (follow.c) ----
 * Interruption and sleeps are interrupt_*() in util.h. */
/* End a loop on SIGINT, SIGTERM or SIGHUP: flush stdout, say `what` was
 * left behind (NULL: nothing), return EBCTL_ERR_INTERRUPTED. */
int follow_interrupted_exit(const char *what);
/* A follower's pause between polls (events -f, logs -f): -1 to go on, or
 * the status to end with: 0 as soon as the reader of stdout has gone
 * (| head), without waiting for the next write, or EBCTL_ERR_INTERRUPTED
 * after follow_interrupted_exit(NULL). */
int follow_pause(long ms);

/* ---- results (out_status.c) ---- */
/* Print a JSON value indented on stdout (out_line) and drop the reference. */
void out_json(struct json_t *v);
/*
 * `ebctl status` (health false) and `ebctl health` (health true): describe
 * the environment (DescribeEnvironments, and DescribeEnvironmentHealth when
 * enhanced health is on) and print it. Returns a status.
 */
/* healthy: the health colours that count as healthy (verdict_parse_healthy);
 * outside them the report is still printed and EBCTL_ERR_UNHEALTHY returned.
 * 0: no check (status). */
int out_status(struct op_target *t, enum op_format fmt, bool health, unsigned healthy);

/* ---- messages and output (out_msg.c) ----
 * "ebctl: " + message + newline on stderr. Lower case, no full stop,
 * subject quoted: errorf("cannot open '%s': %s", path, strerror(errno)).
 * Only src/cli prints: a module below it tells the sink it was given. */
void errorf(const char *fmt, ...) EBCTL_PRINTF(1, 2);
void warnf(const char *fmt, ...) EBCTL_PRINTF(1, 2);
void notef(const char *fmt, ...) EBCTL_PRINTF(1, 2); /* not with --quiet */
/* Flush stdout and report a write error (exit code 3 is not used for
 * this: a closed pipe is a quiet success, anything else is EBCTL_ERR_INVALID).
 * Call once at exit. */
int out_finish(void);
/* Ignore SIGPIPE so that writes to a closed pipe return EPIPE, and
 * out_line() ends the process quietly with status 0. */
void out_line(const char *fmt, ...) EBCTL_PRINTF(1, 2);

/* op_target_open with cli_sink(), and "See 'ebctl CMD --help'." after the
 * error when no environment is given. */
struct op_target;
int cli_target_open(struct op_target *t, const char *cmd, unsigned flags);
/* op_aws_fail with cli_sink(). */
struct aws_error;
int cli_aws_fail(const struct aws_error *err);

/* The sink to give a module: its messages printed as ebctl's own. */
const struct msgsink *cli_sink(void);

/* ---- upload progress (out_upload.c) ---- */
struct deploy_settings;
/* Show the progress of s's upload on stderr: a bar redrawn in place on a
 * terminal, a line every 10 % elsewhere, nothing under 1 MiB or with
 * --quiet. */
void deploy_out_upload_progress(struct deploy_settings *s);

/* ---- bundling progress (out_bundle.c) ---- */
/* Show the progress of the bundles this process writes on stderr
 * (bundle_set_progress): nothing for a bundle written within a second, then
 * "bundling: N of M files, X of Y MiB" once a second: one line redrawn on a
 * terminal (outside CI), else a plain line each time. Nothing with --quiet. */
void bundle_out_progress(void);

/* ---- rendering the watcher's events and results (out_watch.c) ---- */
struct watch_ops;
struct watch_env;
struct json_t;
struct watch_out {
	bool prefix;      /* several environments: each line starts with the name */
	unsigned healthy; /* the healthy set, for "waiting for health Green" */
};
/* Callbacks that print events and health waits on stderr. */
void watch_out_ops(struct watch_ops *ops, struct watch_out *o);
/* "env: failed: reason (12s)" */
void watch_out_line(FILE *f, const struct watch_env *e, bool color);
/* The hints after the result lines: instance logs after a failed
 * deployment, and what an interruption left running. */
void watch_out_hints(const struct watch_env *envs, size_t n);
long long watch_out_seconds(const struct watch_env *e);
/* Follow one environment's operation (request_id: heap, taken) with the
 * watcher, print its result line and hints; e has its name, label and
 * goal filled (previous_label heap or NULL, freed here). Returns the exit
 * code. */
struct aws_client;
int watch_out_one(struct aws_client *c, const char *app, struct watch_env *e, char *request_id,
                  unsigned long timeout_s, unsigned healthy);
/* The same for an operation that keeps the version `running` (setenv,
 * upgrade, restart, rebuild, scale): done when the environment has visibly
 * run it and is Ready and healthy on that version again. */
int watch_out_same_version(struct aws_client *c, const char *app, const char *env,
                           const char *running, char *request_id, unsigned long timeout_s,
                           unsigned healthy);
/* One environment's result as a JSON object (caller owns). */
struct json_t *watch_out_json(const struct watch_env *e);
/* Before a destructive operation: on a terminal, the user types the
 * environment's name (what: what it does). Without a terminal, refuses
 * (EBCTL_ERR_USAGE, naming --force); a wrong name is EBCTL_ERR_INVALID
 * ("not confirmed: 'env' was not <done>"). Returns 0 when confirmed. */
int confirm_by_name(const char *env, const char *what, const char *done);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};
extern const struct command commands[];
extern const size_t ncommands;

int cmd_validate(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_terminate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_platforms(int argc, char **argv);
int cmd_tags(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_abort(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_versions(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int cmd_swap(int argc, char **argv);
int cmd_clone(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_setenv(int argc, char **argv);
int cmd_printenv(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_sign(int argc, char **argv);

#endif
