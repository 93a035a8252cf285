/* Shared between the pieces of the deploy pipeline (src/deploy/). */
#ifndef EBCTL_DEPLOY_INTERNAL_H
#define EBCTL_DEPLOY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ebctl/aws.h"
#include "ebctl/deploy.h"
#include "ebctl/watch.h"

/* "812 B", "3.4 KiB", "19.1 MiB" into out. */
void deploy_format_size(uint64_t n, char *out, size_t len);

/* ---- upload (upload.c) ---- */
/* The bucket: --bucket, else CreateStorageLocation. Returns 0 or the exit code. */
/* aws_error_print, except for a call an interruption stopped (deploy_run
 * reports the interruption itself). */
void deploy_error_print(const struct aws_error *e);
int deploy_bucket(struct aws_client *c, const struct deploy_settings *s, char **bucket);

/* Upload path to bucket/key unless S3 already holds it with our SHA-256
 * (HEAD first). Returns 0 or the exit code (printed). */
int deploy_upload(struct aws_client *c, const char *bucket, const char *key, const char *path,
                  const char *hex, uint64_t size, bool *uploaded);

/* ---- updating one environment (update.c) ---- */
/*
 * UpdateEnvironment of e to e->label with client c. On success *request_id
 * (caller frees) scopes the update's events; an answer that was lost is
 * recovered by adopting the update in progress. Returns 0, or the exit
 * code with e->reason saying why.
 */
int deploy_update_env(const struct deploy_settings *s, struct aws_client *c, struct watch_env *e,
                      char **request_id);

/* ---- creating (create.c) ---- */
/* Before anything is created for ncreate environments: the platform
 * (o->platform_arn), the CNAME, the instance profile and service role.
 * Returns 0 or the exit code (printed). */
int deploy_create_checks(struct aws_client *c, const struct deploy_settings *s,
                         struct deploy_outcome *o, size_t ncreate);
/* CreateApplication of s->app. Returns 0 or the exit code (printed). */
int deploy_create_app(struct aws_client *c, const struct deploy_settings *s,
                      struct deploy_outcome *o);
/* CreateEnvironment of e with e->label on the platform, the settings,
 * tags and tier of s. As deploy_update_env. */
int deploy_create_env(const struct deploy_settings *s, const char *platform_arn,
                      struct aws_client *c, struct watch_env *e, char **request_id);

/* One update (or creation) on its own thread, with its own client. */
struct env_update {
	const struct deploy_settings *s;
	const struct aws_client_options *copts;
	struct watch_env *e;
	const char *create_on; /* create the environment on this platform, not update it */
	pthread_t thread;
	bool started;
	/* results */
	int rc;
	char *request_id; /* handed to the watcher */
	int64_t started_ms;
};
void *deploy_update_thread(void *arg);

#endif
