/*
 * ebctl deploy: settings, version label, and the pipeline
 * (validate, bundle, upload, create the version, update, verdict).
 * The verdict itself lives in verdict.h.
 */
#ifndef EBCTL_DEPLOY_H
#define EBCTL_DEPLOY_H

#include <stdbool.h>
#include <stdint.h>

#include "ebctl/cli.h"

/* Everything deploy needs to know. Strings are borrowed from argv and the
 * environment, or owned by `owned` when read from config.yml. */
struct deploy_settings {
	const char *app;
	struct strlist envs;
	const char *region;
	const char *profile;
	const char *role_arn;
	const char *bucket;
	const char *bucket_path;
	const char *label;
	const char *description;
	const char *dir;    /* -C, default "." */
	const char *bundle; /* --bundle FILE.zip */
	bool version_only;
	bool no_wait;
	unsigned long timeout; /* seconds */
	const char *healthy;   /* "Green" */
	bool process;
	bool wait_ready;
	bool all;
	const char *format; /* text, json */
	struct strlist owned;
};

/*
 * Fill what flags and EBCTL_* variables left unset from
 * DIR/.elasticbeanstalk/config.yml (global.application_name,
 * global.default_region, global.profile,
 * branch-defaults.<git branch or "default">.environment, deploy.artifact).
 * A missing file is fine; an unreadable or malformed one is an error
 * (EB_EXIT_INVALID, printed). Returns 0 or the exit code.
 */
int deploy_settings_load_eb_config(struct deploy_settings *s);
void deploy_settings_cleanup(struct deploy_settings *s);

/* The eb CLI's config.yml values, exposed for tests: reads `path`,
 * fills the out parameters (caller frees each; NULL when absent). Returns
 * 0, 1 when the file does not exist, or -1 after printing the problem. */
int eb_config_read(const char *path, const char *branch, char **app, char **region, char **profile,
                   char **env, char **artifact);

/* ---- git ---- */
/* Run git with args in dir, stdout into out (trailing newline removed).
 * Returns git's exit status, or -1 when it could not be run. */
int git_capture(const char *dir, const char *const *args, char **out);

/* ---- label and description ---- */
/*
 * The version label when --label is not given: the short commit (the
 * first 7 characters of GITHUB_SHA, TRAVIS_COMMIT or CI_COMMIT_SHA, else
 * `git rev-parse --short HEAD` in dir), with "-" and the first 8
 * characters of the bundle hash when the work tree has uncommitted
 * changes; outside git, "sha256-" and the first 16 characters of the hash.
 * Caller frees.
 */
char *deploy_default_label(const char *dir, const char *bundle_hex);
/* Check a label: 1 to 100 characters, no "/" (rule label). Prints the
 * problem and returns EB_EXIT_INVALID, or 0. */
int deploy_check_label(const char *label);
/* Check an environment name as Elastic Beanstalk does: 4 to 40
 * letters, digits and hyphens, no hyphen at either end (rule label). */
int deploy_check_env_name(const char *name);
/* The description: `given`, else the last commit's subject in dir, else
 * NULL; at most 200 characters (cut at a character boundary, with a
 * warning). Caller frees. */
char *deploy_description(const char *dir, const char *given);

/* The S3 key of a bundle: "[bucket_path/]app/hex.zip" (slashes of
 * bucket_path trimmed). Caller frees. */
char *deploy_s3_key(const char *bucket_path, const char *app, const char *hex);

/* The whole pipeline; returns the exit code. */
int deploy_run(struct deploy_settings *s);

#endif
