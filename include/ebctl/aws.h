/*
 * The AWS client: credentials, region, endpoints, signed HTTP with the
 * "standard" retry mode, and the two wire protocols ebctl needs (Query with
 * XML responses, JSON 1.1). Service wrappers build on it: s3.h, eb.h,
 * sts.h, cwlogs.h.
 *
 * Conventions of the whole layer:
 * - functions return 0 on success and -1 on failure; on failure the
 *   caller's struct aws_error says what happened (read it only then);
 * - a client is used by one thread at a time (one per thread for parallel
 *   work); parallel transfers inside one call (multipart parts) are done
 *   with curl multi on that thread;
 * - every struct the layer fills is freed with its *_free / *_cleanup,
 *   which are NULL-safe and leave the struct zeroed.
 */
#ifndef EBCTL_AWS_H
#define EBCTL_AWS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "ebctl/sigv4.h"
#include "ebctl/util.h"

/* What went wrong in a failed call. Plain arrays: nothing to free. */
struct aws_error {
	long http_status;    /* 0 when no HTTP response was received */
	char code[96];       /* AWS error code ("ThrottlingException"), "" when none */
	char message[768];   /* AWS message or local reason, never a secret */
	char request_id[96]; /* x-amz-request-id / RequestId, "" when none */
	char step[96]; /* the operation: "elasticbeanstalk UpdateEnvironment", "credentials" */
	bool network;  /* no usable response: DNS, connect, reset, timeout */
	bool unknown_outcome; /* the request may have been applied (sent, no answer) */
	bool interrupted;     /* stopped by the interrupt flag (SIGINT) */
	bool deadline;        /* stopped by the command's deadline (--timeout) */
	int attempts;         /* attempts made (1 = no retry) */
};
void aws_error_clear(struct aws_error *e);
/* Fill e as a local failure (no HTTP status) of step. */
void aws_error_set(struct aws_error *e, const char *step, const char *code, const char *fmt, ...)
    EBCTL_PRINTF(4, 5);
/* "STEP: CODE: MESSAGE (HTTP 403, request id X)" into out; returns out. */
const char *aws_error_format(const struct aws_error *e, char *out, size_t n);
/* aws_error_format as an error to sink, and a second one when the request
 * may have been applied. */
void aws_error_report(const struct aws_error *e, const struct msgsink *sink);
/* The status of a failed call: EBCTL_ERR_INTERRUPTED when interrupted,
 * EBCTL_ERR_TIMEOUT when the deadline stopped it, EBCTL_ERR_INVALID for a
 * local file that could not be read or written (code "IOError"), otherwise
 * EBCTL_ERR_AWS. */
int aws_error_status(const struct aws_error *e);

struct aws_client_options {
	const char *region;  /* --region; NULL: AWS_REGION, AWS_DEFAULT_REGION, profile */
	const char *profile; /* --profile; NULL: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default" */
	/* where profile came from when it is no flag (".elasticbeanstalk/config.yml"):
	 * credentials in the environment then come first, as with AWS_PROFILE, and
	 * a missing profile's error names the file */
	const char *profile_from;
	const char *role_arn;    /* --role-arn; NULL: EBCTL_ROLE_ARN (GitHub Actions OIDC) */
	int max_attempts;        /* 0: AWS_MAX_ATTEMPTS or 3 */
	long connect_timeout_ms; /* 0: EBCTL_CONNECT_TIMEOUT (seconds) or 10 s */
	long read_timeout_ms;    /* 0: EBCTL_READ_TIMEOUT (seconds) or 60 s without a byte */
	/* 0: EBCTL_REQUEST_TIMEOUT (seconds) or 5 minutes: the whole of one
	 * attempt, however its bytes trickle in */
	long request_timeout_ms;
	/* time_mono_ms() after which no request runs, and none is retried
	 * (the command's --timeout); 0: none */
	int64_t deadline_ms;
	bool no_region_ok; /* do not fail when no region is configured (STS global) */
	/* When non-NULL and set non-zero (by a SIGINT handler), transfers stop
	 * and the call fails with e->interrupted. Borrowed. */
	volatile sig_atomic_t *interrupted;
	/* Shared by the clients of one command that send in parallel (the
	 * workers of a deploy to many environments): after a throttling, they
	 * send the operation refused at one adaptive rate together. Borrowed;
	 * NULL: none. */
	struct aws_pacer *pacer;
	/* where the client's warnings go (credentials that cannot be refreshed,
	 * a multipart upload left to abort); NULL: nowhere */
	const struct msgsink *sink;
};

/* One adaptive send rate per operation for the clients that share it:
 * free until the service throttles the operation, then one a second (or
 * half the rate measured, when lower), a tenth more at each success and
 * 30 % less at each further throttling (src/aws/pacer.c). */
struct aws_pacer;
struct aws_pacer *aws_pacer_new(void);
void aws_pacer_free(struct aws_pacer *p);

struct aws_client;

/*
 * Create a client: resolves the region (error when none, unless
 * no_region_ok) and reads the retry and timeout settings. Credentials are
 * resolved on first use (or by aws_client_credentials), through the chain
 * documented in docs/aws.md. Returns 0 with *out set (aws_client_free), or
 * -1 with err filled.
 */
int aws_client_new(const struct aws_client_options *o, struct aws_client **out,
                   struct aws_error *err);
void aws_client_free(struct aws_client *c);
/* Move the client's deadline (aws_client_options.deadline_ms; 0: none). */
void aws_client_set_deadline(struct aws_client *c, int64_t deadline_ms);

/* A new client with the same settings, region, clock correction and
 * (copied) credentials, for another thread: deploying to several
 * environments in parallel. Caller frees with aws_client_free. */
struct aws_client *aws_client_dup(const struct aws_client *c);

/* The region in use; borrowed ("" when none). */
const char *aws_client_region(const struct aws_client *c);
/* The wait before the attempt-th retry of a request the caller repeats
 * itself (a throttled UpdateEnvironment): the client's own backoff (full
 * jitter, doubling from EBCTL_RETRY_BASE_MS, capped at 20 s). */
unsigned long aws_client_backoff_ms(const struct aws_client *c, int attempt);

/*
 * Current credentials, resolved through the chain and refreshed when they
 * expire within 5 minutes. When a refresh fails while the current ones are
 * still valid, they are kept (one warning; the next attempt 30 s later):
 * only expired credentials that cannot be refreshed fail. Copies into out
 * (aws_creds_cleanup) when out is non-NULL. Use it to fail early with a
 * clear message ("no credentials: ..."). Returns 0 or -1 with err.
 */
int aws_client_credentials(struct aws_client *c, struct aws_creds *out, struct aws_error *err);

/* Use these credentials from now on instead of the chain (tests, and
 * callers that obtained credentials themselves). Copied. */
void aws_client_set_credentials(struct aws_client *c, const struct aws_creds *creds);

/* ---- request parameters (Query protocol) ---- */
struct aws_param {
	char *key;
	char *value;
};
struct aws_params {
	struct aws_param *v;
	size_t n, cap;
};
/* Append copies of key and value. */
void aws_params_add(struct aws_params *p, const char *key, const char *value);
/* Append with a formatted key: aws_params_addf(p, v, "OptionSettings.member.%zu.Value", i). */
void aws_params_addf(struct aws_params *p, const char *value, const char *keyfmt, ...)
    EBCTL_PRINTF(3, 4);
const char *aws_params_get(const struct aws_params *p, const char *key);
void aws_params_cleanup(struct aws_params *p);

/* True for the error codes that mean "slow down" (Throttling, SlowDown,
 * RequestLimitExceeded...): the call was refused, not run. */
bool aws_throttling_code(const char *code);
/* Whether the error is a throttling: HTTP 429 or one of those codes. */
bool aws_error_throttled(const struct aws_error *e);

/* Whether a call may be sent again when its outcome is unknown (the
 * connection dropped after the request went out, or a server error that
 * may have come after the call took effect: 500, 502, 504). */
enum aws_idempotency {
	AWS_IDEMPOTENT =
	    0, /* reads, and writes that converge (UpdateEnvironment to the same label) */
	AWS_NOT_IDEMPOTENT =
	    1, /* creates: fail with e->unknown_outcome; the caller checks and retries */
};

/*
 * AWS Query protocol: POST Action=...&Version=...&params (strictly
 * encoded) to the service's endpoint, signed. service: "elasticbeanstalk",
 * "sts". On success *doc is the parsed response (xmlFreeDoc). On an AWS
 * error, err has the code, message and request id of the ErrorResponse.
 */
int aws_query(struct aws_client *c, const char *service, const char *action,
              const struct aws_params *params, enum aws_idempotency idem, xmlDocPtr *doc,
              struct aws_error *err);

/*
 * AWS JSON 1.1 protocol: POST body (borrowed; NULL = {}) with
 * X-Amz-Target: target ("Logs_20140328.GetLogEvents") to the service
 * ("logs"). On success *out is the decoded response (json_decref).
 */
int aws_json(struct aws_client *c, const char *service, const char *target, json_t *body,
             json_t **out, struct aws_error *err);

/*
 * GET a URL as it is (no signing: presigned S3 URLs from
 * RetrieveEnvironmentInfo) into out, at most max bytes (0 = unlimited),
 * with the client's retries and timeouts. Returns 0 or -1 with err.
 */
int aws_fetch_url(struct aws_client *c, const char *url, struct buf *out, size_t max,
                  struct aws_error *err);
/* The same into a file (created or truncated, mode 0644). */
int aws_fetch_url_to_file(struct aws_client *c, const char *url, const char *path,
                          struct aws_error *err);
/* The same, at most max bytes (0 = unlimited: ResponseTooLarge past it).
 * path is opened with O_NOFOLLOW; on failure it is removed. */
int aws_fetch_url_to_file_max(struct aws_client *c, const char *url, const char *path, uint64_t max,
                              struct aws_error *err);

/* ---- XML helpers (XPath-free, by local name, namespaces ignored) ---- */

/* First element child of parent named name, or NULL. */
xmlNodePtr aws_xml_child(xmlNodePtr parent, const char *name);
/* Follow a path of local names from node: "DescribeEnvironmentsResult/Environments". */
xmlNodePtr aws_xml_path(xmlNodePtr node, const char *path);
/* Text of the child named name: a copy (free), or NULL when absent. */
char *aws_xml_text(xmlNodePtr parent, const char *name);
/* Text of node itself (free); "" for an empty element. */
char *aws_xml_node_text(xmlNodePtr node);
/* The element sibling after node with the same name, or NULL: iterate
 * lists with for (m = aws_xml_child(list, "member"); m; m = aws_xml_next(m)). */
xmlNodePtr aws_xml_next(xmlNodePtr node);
/* The root of the response's Result element: <ActionResponse><ActionResult>. */
xmlNodePtr aws_xml_result(xmlDocPtr doc, const char *action);

#endif
