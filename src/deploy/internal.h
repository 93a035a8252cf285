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
/* The bucket: --bucket, else CreateStorageLocation. Returns 0 or the status. */
/* aws_error_report, except for a call an interruption stopped (deploy_run
 * reports the interruption itself). */
void deploy_error_report(const struct aws_error *e, const struct msgsink *sink);
int deploy_bucket(struct aws_client *c, const struct deploy_settings *s, char **bucket);

/* The size of a multipart upload's parts: the pieces of the bundle's
 * digest, whose CRC32s the parts are sent with. */
#define DEPLOY_PART_SIZE (8ULL << 20)

/* Upload path to bucket/key unless S3 already holds it with our SHA-256
 * (HEAD first), telling s->upload_progress (NULL: nobody) how far it is.
 * d is path's digest (its pieces of DEPLOY_PART_SIZE, or none: then the
 * upload reads the file for them). Returns 0 or the status (told to
 * s->sink). */
int deploy_upload(struct aws_client *c, const struct deploy_settings *s, const char *bucket,
                  const char *key, const char *path, const struct file_digest *d, bool *uploaded);

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
 * Returns 0 or the status (printed). */
int deploy_create_checks(struct aws_client *c, const struct deploy_settings *s,
                         struct deploy_outcome *o, size_t ncreate);
/* CreateApplication of s->app. Returns 0 or the status (printed). */
int deploy_create_app(struct aws_client *c, const struct deploy_settings *s,
                      struct deploy_outcome *o);
/* CreateEnvironment of e with e->label on the platform, the settings,
 * tags and tier of s. As deploy_update_env. */
int deploy_create_env(const struct deploy_settings *s, const char *platform_arn,
                      struct aws_client *c, struct watch_env *e, char **request_id);

/* One update (or creation) on its own thread, with its own client. */
/* One environment's update, sent by a worker of the pool below. */
struct env_update {
	const struct deploy_settings *s;
	struct watch_env *e;   /* the watcher's; the worker touches only work */
	struct watch_env work; /* name, label, and the reason of a failure */
	const char *create_on; /* create the environment on this platform, not update it */
	bool wanted;
	/* results, under the pool's lock */
	bool done, collected;
	int rc;
	char *request_id; /* handed to the watcher */
	int64_t started_ms;
};

/* The updates of a deploy: a few workers, each with its own client, take
 * the environments in turn, so that fifty environments cost four threads
 * and four connections, and Elastic Beanstalk's rate (per account) is not
 * met by fifty calls at once. */
#define UPDATE_WORKERS 4
struct update_pool {
	pthread_mutex_t lock;
	struct env_update *u;
	size_t n, next;
	const struct aws_client_options *copts;
	pthread_t threads[UPDATE_WORKERS];
	size_t nthreads;
};
void *deploy_update_worker(void *arg);

#endif
