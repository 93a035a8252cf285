/*
 * ebctl deploy: settings, version label, and the pipeline
 * (validate, bundle, upload, create the version, update, verdict).
 * The verdict itself lives in verdict.h.
 */
#ifndef EBCTL_DEPLOY_H
#define EBCTL_DEPLOY_H

#include <stdbool.h>
#include <stdint.h>

#include "ebctl/dockerrun.h"
#include "ebctl/eb.h"
#include "ebctl/util.h"
#include "ebctl/watch.h"

/* Everything deploy needs to know. Strings are borrowed from argv and the
 * environment, or owned by `owned` when read from config.yml. */
/* How far the bundle's upload is, for a progress bar (src/cli/out_upload.c
 * draws it). Reported as bytes are sent (a retried part sends its bytes
 * again: done can go back), and once more with failed set when the upload
 * fails, so that a bar drawn in place can end its line. */
struct deploy_upload_progress {
	uint64_t done, total;
	int64_t started_ms; /* time_mono_ms() when the upload started */
	bool failed;
};
typedef void (*deploy_upload_progress_fn)(const struct deploy_upload_progress *p, void *arg);

struct deploy_settings {
	const char *app;
	struct strlist envs;
	const char *region;
	const char *profile;
	const char *profile_from; /* set when config.yml named the profile */
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
	unsigned healthy;      /* HEALTH_* set that counts as success */
	bool process;
	bool wait_ready;
	bool all;
	const char *format; /* text, json */
	struct strlist owned;

	const char *existing;     /* --version LABEL: deploy this version (no bundle, no upload) */
	unsigned long prune_keep; /* --prune-keep N after a success; 0: no pruning */
	bool abort_on_timeout;    /* abort an update still running at --timeout */
	bool abort_on_interrupt;  /* abort an update still running when interrupted */

	/* option settings sent with the update (--option, --option-settings),
	 * and with a creation */
	struct eb_option_settings options;
	/* creating what is missing (--create, ebctl create) */
	bool create;                  /* create the application and environments that are missing */
	bool create_only;             /* ebctl create: an environment that exists is an error */
	const char *platform;         /* --platform NAME|ARN; NULL: from the bundle */
	bool worker;                  /* --tier worker */
	const char *cname;            /* --cname PREFIX */
	struct eb_tags tags;          /* --tag K=V */
	const char *instance_profile; /* default aws-elasticbeanstalk-ec2-role */
	const char *service_role;     /* default aws-elasticbeanstalk-service-role */

	/* the upload's progress; NULL: none shown */
	deploy_upload_progress_fn upload_progress;
	void *upload_progress_arg;
	/* where the pipeline's notes, warnings and errors go; NULL: nowhere */
	const struct msgsink *sink;
};

/*
 * Fill what flags and EBCTL_* variables left unset from
 * DIR/.elasticbeanstalk/config.yml (global.application_name,
 * global.default_region, global.profile,
 * branch-defaults.<git branch or "default">.environment, deploy.artifact).
 * A missing file is fine; an unreadable or malformed one is an error
 * (EBCTL_ERR_INVALID, printed). Returns 0 or the status.
 */
int deploy_settings_load_eb_config(struct deploy_settings *s);
void deploy_settings_cleanup(struct deploy_settings *s);

/* ---- label and description ---- */
/*
 * The version label when --label is not given: the short commit (the
 * first 7 characters of GITHUB_SHA, TRAVIS_COMMIT or CI_COMMIT_SHA, else
 * `git rev-parse --short HEAD` in dir), with "-" and the first 8
 * characters of the bundle hash when the work tree has uncommitted
 * changes that reach the bundle (`files`: a change counts when
 * bundle_files_covers says so; NULL: any change), and a note naming them;
 * outside git, "sha256-" and the first 16 characters of the hash.
 * Caller frees.
 */
struct bundle_files;
char *deploy_default_label(const char *dir, const char *bundle_hex,
                           const struct bundle_files *files, const struct msgsink *sink);
/* Check a label: 1 to 100 characters, no "/" (rule label). Tells sink
 * the problem and returns EBCTL_ERR_INVALID, or 0. */
int deploy_check_label(const char *label, const struct msgsink *sink);
/* Check an environment name as Elastic Beanstalk does: 4 to 40
 * letters, digits and hyphens, no hyphen at either end (rule label). */
int deploy_check_env_name(const char *name, const struct msgsink *sink);
/* The description: `given`, else the last commit's subject in dir, else
 * NULL; at most 200 characters (cut at a character boundary, with a
 * warning). Caller frees. */
char *deploy_description(const char *dir, const char *given, const struct msgsink *sink);

/* The S3 key of a bundle: "[bucket_path/]app/hex.zip" (slashes of
 * bucket_path trimmed). Caller frees. */
char *deploy_s3_key(const char *bucket_path, const char *app, const char *hex);
/* The object a version's SourceBundle names: its own copy of the bundle,
 * "[bucket_path/]app/versions/label/hex.zip", so deleting one version's
 * bundle (prune, a lifecycle rule, the console) never takes another
 * version's, while the bytes are uploaded once to deploy_s3_key(). */
char *deploy_version_key(const char *bucket_path, const char *app, const char *label,
                         const char *hex);

/* ---- option settings ---- */
/* "NS:NAME=VALUE" (the namespace has colons of its own: the name is after
 * the last colon before '=') appended to out. Returns 0, or -1 with a
 * message in err. */
int deploy_option_parse(const char *arg, struct eb_option_settings *out, char *err, size_t errlen);
/* An option settings file appended to out: the aws CLI's JSON (a list of
 * {"Namespace", "OptionName", "Value"}) or an .ebextensions-style YAML
 * `option_settings:` (a map of namespace to {name: value}, or a list of
 * {namespace, option_name, value}). Returns 0, or -1 with a message. */
int deploy_option_settings_file(const char *path, struct eb_option_settings *out, char *err,
                                size_t errlen);

/* ---- platforms ---- */
/*
 * Resolve --platform among the region's platforms: an ARN as it is; a
 * branch name ("ECS running on 64bit Amazon Linux 2023") or a solution
 * stack name ("64bit Amazon Linux 2023 v4.3.1 running ECS") exactly; else
 * the branches whose name holds every word given ("docker", "ecs", "amazon
 * linux 2023"), preferring supported branches to deprecated ones. Picks the
 * newest version of the branch. Returns the platform, or NULL with err
 * saying why (unknown, or ambiguous with the candidates).
 */
const struct eb_platform *deploy_platform_resolve(const struct eb_platforms *ps, const char *want,
                                                  char *err, size_t errlen);
/* The platform a bundle needs: "ecs" for a version 2 Dockerrun, "docker"
 * for version 1 or 3 or a docker-compose.yml alone. */
const char *deploy_platform_default(int dockerrun_version);
/* Whether a platform runs a Dockerrun of that version (0: none, compose). */
bool deploy_platform_runs(const struct eb_platform *p, int dockerrun_version);

/* ---- pruning versions ---- */
struct deploy_prune_opts {
	const char *app;
	unsigned long keep;         /* the newest N stay, besides the protected ones */
	unsigned long older_than_s; /* only versions older than this go; 0: any age */
	bool delete_bundles;        /* their S3 objects too, unless a kept version shares one */
	bool dry_run;
};
struct deploy_prune_result {
	struct strlist deleted;             /* labels deleted (or that would be) */
	struct strlist deleted_with_bundle; /* ... with their bundle */
	struct strlist protected;           /* kept: running, or a running one's previous */
	size_t remaining;
};
/*
 * Delete old versions of po->app: all but the newest po->keep, never one an
 * environment runs or ran just before (op_previous_label), paging through
 * DescribeApplicationVersions. Returns 0, or -1 with err (what was deleted
 * before the failure is in out). deploy_prune_result_cleanup after.
 */
int deploy_prune(struct aws_client *c, const struct deploy_prune_opts *po,
                 struct deploy_prune_result *out, struct aws_error *err);
void deploy_prune_result_cleanup(struct deploy_prune_result *r);

/* What a deploy did, for the command to report (text, JSON, GitHub). */
struct deploy_outcome {
	/* the bundle's SHA-256 ("" before it is known), size and the CRC32s of
	 * its upload's parts, taken in one pass */
	struct file_digest bundle;
	char *label;
	char *description;
	char *bucket;
	char *key;
	bool uploaded;
	bool version_created;
	bool version_reused;
	struct dr_report diags; /* the bundle's Dockerrun diagnostics */
	bool validated;         /* diags holds a validation */
	struct watch w;         /* the environments (w.envs, w.n) and their results */
	bool updating;          /* updates were sent, or pending under --wait-ready */
	bool app_created;       /* the application was created */
	bool *created;          /* per environment: created rather than updated */
	char *platform_arn;     /* of the environments created */
	size_t aborted;         /* updates aborted (--abort-on-timeout, --abort-on-interrupt) */
	struct deploy_prune_result pruned; /* --prune-keep */
	bool pruned_ok;
};
void deploy_outcome_cleanup(struct deploy_outcome *o);

/*
 * The whole pipeline: validate and bundle, upload, create the version,
 * update every environment at once and follow them with one watcher to a
 * verdict each. `ui` renders the watcher's events (its start callback is
 * deploy's own). Fills *o (deploy_outcome_cleanup) and returns the exit
 * code; interrupted (SIGINT, SIGTERM, SIGHUP) returns EBCTL_ERR_INTERRUPTED
 * with o saying what was left running.
 */
int deploy_run(struct deploy_settings *s, const struct watch_ops *ui, struct deploy_outcome *o);

#endif
