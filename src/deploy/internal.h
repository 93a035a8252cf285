/* Shared between the pieces of the deploy pipeline (src/deploy/). */
#ifndef EBCTL_DEPLOY_INTERNAL_H
#define EBCTL_DEPLOY_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ebctl/aws.h"
#include "ebctl/deploy.h"
#include "ebctl/verdict.h"

/* Set by the SIGINT handler; every wait and transfer watches it. */
extern volatile sig_atomic_t deploy_interrupted;

/* Serialises output from the environment threads. */
void deploy_lock(void);
void deploy_unlock(void);

/* Sleep up to ms, waking early on SIGINT. */
void deploy_sleep_ms(int64_t ms);

/* "812 B", "3.4 KiB", "19.1 MiB" into out. */
void deploy_format_size(uint64_t n, char *out, size_t len);

/* Whether a failed call was throttled (the caller backs off further). */
bool deploy_throttled(const struct aws_error *e);

/* ---- upload (upload.c) ---- */
/* The bucket: --bucket, else CreateStorageLocation. Returns 0 or the exit code. */
int deploy_bucket(struct aws_client *c, const struct deploy_settings *s, char **bucket);

/* Upload path to bucket/key unless S3 already holds it with our SHA-256
 * (HEAD first). Returns 0 or the exit code (printed). */
int deploy_upload(struct aws_client *c, const char *bucket, const char *key, const char *path,
                  const char *hex, uint64_t size, bool *uploaded);

/* ---- one environment (wait.c) ---- */
struct env_run {
	/* inputs */
	const struct deploy_settings *s;
	const struct aws_client_options *copts;
	const char *name;
	const char *label;
	unsigned healthy;
	int64_t deadline_ms;
	int64_t grace_ms;
	bool prefix; /* print the environment name before each event */
	bool label_was_running;
	bool ready; /* Ready at the pre-flight check */
	/* outputs */
	int rc; /* this environment's exit code */
	enum verdict_state state;
	char reason[400];
	bool update_sent;
	char *request_id;
	char *status, *health, *url, *running_label;
	int64_t started_ms, ended_ms;
};
/* pthread entry: wait for Ready if asked, UpdateEnvironment, follow to a verdict. */
void *deploy_env_thread(void *arg);
void env_run_cleanup(struct env_run *r);

#endif
