/*
 * Internals of the AWS layer shared by the files of src/aws (and the unit tests):
 * the client struct, endpoint resolution, the request/transfer engine,
 * retry classification, XML error parsing and the credential chain.
 */
#ifndef EBCTL_AWS_INTERNAL_H
#define EBCTL_AWS_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "ebctl/aws.h"

#define AWS_REFRESH_MARGIN     300         /* seconds before expiry to refresh credentials */
#define AWS_REFRESH_RETRY      30          /* seconds after a failed refresh before the next */
#define AWS_MAX_BACKOFF_MS     20000       /* the standard retry mode's cap */
#define AWS_MAX_RESPONSE       (64u << 20) /* bound on any response body kept in memory */
#define AWS_RETRY_QUOTA        500         /* the standard mode's retry token bucket */
#define AWS_RETRY_COST         5
#define AWS_RETRY_COST_TIMEOUT 10

struct aws_xfer;
struct aws_client {
	char region[64];
	char *profile;         /* explicit (--profile) or from AWS_PROFILE; NULL = default */
	bool profile_explicit; /* given with --profile: environment keys are skipped */
	char *profile_from;    /* the file that named the profile, NULL for a flag */
	char *role_arn;
	int max_attempts;
	long connect_timeout_ms;
	long read_timeout_ms;
	long request_timeout_ms;
	int64_t deadline_ms; /* monotonic; 0: none */
	unsigned long retry_base_ms;
	int retry_tokens; /* the retry quota left */
	volatile sig_atomic_t *interrupted;
	struct aws_pacer *pacer;    /* borrowed; NULL: none */
	const struct msgsink *sink; /* borrowed; NULL: nowhere */
	CURL *easy;                 /* reused: keeps the connection cache */
	CURLSH *share;              /* DNS and connections shared with multi transfers */
	struct aws_creds creds;
	bool have_creds;
	bool creds_fixed;      /* set by the caller: never refreshed */
	unsigned creds_gen;    /* counts the credentials the client has had */
	int64_t refresh_after; /* after a failed refresh: not again before this (epoch s) */
	bool refresh_warned;   /* said once that the current ones are kept */
	int64_t skew;          /* server clock minus ours, seconds */
	char *ca_bundle;
	char user_agent[64];
	/* The credentials, as client.c keeps them: the transport signs with
	 * what creds_get gives (aws_client_credentials) and calls creds_renew
	 * after an ExpiredToken (aws_client_renew_expired). Pointers, so that
	 * http.c has no arrow up to the chain whose sources send through it. */
	int (*creds_get)(struct aws_client *c, struct aws_creds *out, struct aws_error *err);
	int (*creds_renew)(struct aws_client *c, const struct aws_xfer *x, struct aws_error *err);
};

/* Fill e as step stopped by the command's interruption (e->interrupted);
 * returns -1, for `return aws_error_interrupted(err, step);`. */
int aws_error_interrupted(struct aws_error *e, const char *step);

/* ---- the shared send rate (pacer.c) ---- */
/* Reserve a send of operation key at now_ms: the milliseconds to wait
 * before it (0 while the operation was never throttled, or with no pacer).
 * Rates are per unit_ms: the client's retry base, 1 s unless
 * EBCTL_RETRY_BASE_MS says otherwise. */
int64_t aws_pacer_reserve(struct aws_pacer *p, const char *key, int64_t now_ms,
                          unsigned long unit_ms);
/* The answer to a send reserved at reserved_ms: a throttling cuts the
 * rate (once for the sends paced at the same rate), a success raises it. */
void aws_pacer_answer(struct aws_pacer *p, const char *key, int64_t reserved_ms, bool throttled,
                      int64_t now_ms, unsigned long unit_ms);

/* ---- endpoints (endpoints.c) ---- */
struct aws_endpoint {
	char url[512];       /* scheme://host[:port][/base path], no trailing slash */
	char host[300];      /* the Host header: host[:port] */
	char base_path[200]; /* "" or "/prefix" from an endpoint override */
	char signing_region[64];
	bool custom; /* from AWS_ENDPOINT_URL*: S3 uses path style */
};
/* The partition's DNS suffix for a region: "amazonaws.com", "amazonaws.com.cn". */
const char *aws_partition_suffix(const char *region);
/* Resolve service ("s3", "elasticbeanstalk", "sts", "logs", and IAM
 * Identity Center's "awsssoportal" and "sso-oauth") in region.
 * Returns 0, or -1 with a message in err (bad override URL, bad region). */
int aws_endpoint_resolve(const char *service, const char *region, struct aws_endpoint *out,
                         struct aws_error *err);
/* Whether a bucket can be addressed as a virtual host over TLS. */
bool aws_s3_virtual_host_ok(const char *bucket);
/* Whether a region name is well formed (lower case letters, digits, '-'). */
bool aws_region_valid(const char *region);

/* ---- XML (xml.c) ---- */
/* Parse a response body safely: no network, no entity expansion, no DTD,
 * bounded size. NULL when not well-formed XML. */
xmlDocPtr aws_xml_parse(const char *data, size_t len);
/* Fill e->code/message/request_id from an AWS XML error body (Query
 * ErrorResponse or S3 Error). Returns 0 when one was found. */
int aws_xml_parse_error(const char *data, size_t len, struct aws_error *e);
/* From a JSON-protocol error body (__type / message). */
int aws_json_parse_error(const char *data, size_t len, const char *errortype_header,
                         struct aws_error *e);

/* ---- retry classification (http.c) ---- */
bool aws_retryable_code(const char *code);
bool aws_retryable_status(long status);
bool aws_skew_code(const char *code, const char *message);
/* A call its caller checks and sends again counts every request in the
 * message: err's attempts (at least the one) are added to *sent, and err
 * then says the total. */
static inline void aws_error_add_attempts(struct aws_error *err, int *sent)
{
	*sent += err->attempts > 0 ? err->attempts : 1;
	err->attempts = *sent;
}
/* Whether an error code says the session token expired (ExpiredToken,
 * ExpiredTokenException, TokenRefreshRequired; not RequestExpired, a
 * skewed clock). */
bool aws_expired_token_code(const char *code);
/* Delay before attempt `attempt` (1 = first retry): full jitter,
 * random in [0, min(cap, base * 2^(attempt-1))]. r in [0, 1]. */
unsigned long aws_backoff_ms(unsigned long base_ms, int attempt, double r);
/* Take the quota for one retry after err (adds it to *held); false when
 * the quota is exhausted. Give it back with aws_retry_quota_release
 * after a success (held 0: a success without retries adds 1). */
bool aws_retry_quota_acquire(struct aws_client *c, const struct aws_error *err, int *held);
void aws_retry_quota_release(struct aws_client *c, int held);
/* A random number in [0, 1] for the jitter. */
double aws_jitter(void);
/* Server minus local seconds from an HTTP Date header value; 0 when unparsable. */
int64_t aws_skew_from_date(const char *date, int64_t local_now);

/* ---- the transfer engine (http.c) ---- */
struct aws_header {
	char *name;
	char *value;
};

enum aws_body_kind {
	AWS_BODY_NONE = 0,
	AWS_BODY_MEM,  /* body/body_len, borrowed */
	AWS_BODY_FILE, /* fd from offset, length bytes */
};

/* One logical request; sent once per attempt by aws_send. */
struct aws_request {
	const char *method;
	const char *service; /* signing name: "s3", "elasticbeanstalk", ... */
	char step[96];       /* for messages: "s3 PutObject" */
	struct aws_endpoint ep;
	char *path;                 /* encoded, starts with '/'; owned */
	char *query;                /* encoded, without '?', NULL for none; owned */
	struct aws_header *headers; /* extra headers, sent and signed; owned */
	size_t nheaders;
	enum aws_body_kind body_kind;
	const void *body;
	size_t body_len;
	int fd;
	uint64_t offset, length;
	char payload_hash[65];         /* "" = the signer hashes the memory body */
	unsigned sign_flags;           /* enum sigv4_flags */
	bool unsigned_request;         /* no signature (web identity, metadata, URLs) */
	const struct aws_creds *creds; /* signing credentials; NULL = the client's */
	enum aws_idempotency idem;
	char *raw_url; /* send to this URL as it is (unsigned); owned */
	/* per-request overrides, 0 = the client's */
	long connect_timeout_ms;
	long total_timeout_ms;
	int max_attempts;
	/* response */
	FILE *sink;      /* 2xx body to this file instead of memory */
	size_t max_body; /* 0: AWS_MAX_RESPONSE; with sink, 0 is unlimited */
	bool head;       /* HEAD: no body */
	/* upload progress of the current attempt (bytes sent) */
	void (*progress)(uint64_t sent, void *arg);
	void *progress_arg;
};
void aws_request_init(struct aws_request *r, const char *method, const char *service,
                      const char *step);
void aws_request_header(struct aws_request *r, const char *name, const char *value);
void aws_request_cleanup(struct aws_request *r);

struct aws_response {
	long status;
	struct buf body;
	struct aws_header *headers;
	size_t nheaders;
};
/* Case-insensitive lookup; borrowed, NULL when absent. */
const char *aws_response_header(const struct aws_response *r, const char *name);
/* The value of the header name (any case) among h[0..n), or NULL. Here,
 * inline: the transport and the trace both look headers up, and neither
 * is below the other for it. */
static inline const char *aws_header_find(const struct aws_header *h, size_t n, const char *name)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcasecmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}
void aws_response_cleanup(struct aws_response *r);

/*
 * Send req with the client's retry policy, signing each attempt afresh.
 * A skewed clock is corrected once, and an expired session token renewed
 * once (aws_client_renew_expired); neither retry counts as an attempt.
 * Returns 0 on a 2xx answer. Otherwise -1 with err filled: the AWS error of
 * a non-2xx answer (resp keeps status, headers and body), or a network
 * failure.
 */
int aws_send(struct aws_client *c, struct aws_request *req, struct aws_response *resp,
             struct aws_error *err);

/* One attempt on an easy handle, for callers driving curl multi. */
enum aws_verdict {
	AWS_DONE_OK,
	AWS_DONE_RETRY,
	AWS_DONE_SKEW,
	AWS_DONE_EXPIRED, /* the signing credentials' session token expired */
	AWS_DONE_FAIL
};
/*
 * The one retry decision, for serial sends (aws_send) and parallel parts
 * (s3.c): after an attempt's verdict, what to do next. A clock skew is
 * corrected and an expired session token renewed once each, without using
 * up an attempt; a retryable failure (or, for an idempotent request, one
 * whose outcome is unknown) is sent again while attempts and the retry
 * quota last, after *backoff_ms.
 */
enum aws_next {
	AWS_NEXT_DONE,    /* succeeded */
	AWS_NEXT_FAIL,    /* give up: err says why */
	AWS_NEXT_NOW,     /* send again at once (skew corrected, credentials renewed) */
	AWS_NEXT_BACKOFF, /* send again after *backoff_ms */
};
struct aws_retry {
	int tries; /* attempts counted so far, the current one included */
	int max;
	int held; /* retry quota taken */
	bool skew_fixed, renewed;
	bool retry_unknown; /* an unknown outcome may be sent again (an idempotent part) */
};
struct aws_xfer;
struct aws_response;
enum aws_next aws_retry_next(struct aws_client *c, struct aws_retry *r, enum aws_verdict v,
                             struct aws_xfer *x, const struct aws_response *resp,
                             unsigned long *backoff_ms, struct aws_error *err);

struct aws_xfer {
	struct aws_client *c;
	struct aws_request *req;
	struct aws_response *resp;
	CURL *h; /* owned by the caller */
	struct curl_slist *hdrs;
	uint64_t pos; /* bytes of the body handed to curl */
	bool overflow;
	uint64_t sunk;    /* bytes written to req->sink */
	int sink_errno;   /* why writing to req->sink failed */
	int source_errno; /* why reading a file body failed: an errno, -1 when it shrank */
	bool timed_out;   /* no byte moved for the read timeout */
	bool by_deadline; /* the attempt's time limit is the client's deadline */
	int64_t last_move_ms;
	curl_off_t last_dl, last_ul;
	char errbuf[CURL_ERROR_SIZE];
	bool signed_request; /* with req->creds, or else the client's */
	unsigned creds_gen;  /* the client's credentials it was signed with */
};
/* Sign and configure h for one attempt. Returns 0 or -1 with err. */
/* --debug traces (trace.c): libcurl's CURLOPT_DEBUGFUNCTION, headers
 * with their secrets replaced; and a request's body, redacted, as one line. */
int aws_trace_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg);
void aws_trace_body(const struct aws_request *r);

int aws_xfer_setup(struct aws_client *c, CURL *h, struct aws_request *req,
                   struct aws_response *resp, struct aws_xfer *x, struct aws_error *err);
/* Classify a finished attempt (curl result rc); fills err unless OK;
 * releases the attempt's header list. */
enum aws_verdict aws_xfer_finish(struct aws_xfer *x, CURLcode rc, struct aws_error *err);
/*
 * After AWS_DONE_EXPIRED: new credentials from the chain for the next
 * attempt, unless another transfer of the client got them since x was
 * signed. Returns 0 when x's request may be sent again; -1 with err
 * rewritten to say so when they cannot be renewed: static keys (the
 * environment, a profile's, ones the caller set or signed with), or the
 * chain failed.
 */
int aws_client_renew_expired(struct aws_client *c, const struct aws_xfer *x, struct aws_error *err);
/* Sleep the backoff before retry number `retry` (1-based), waking early
 * when interrupted. Returns -1 when interrupted, 1 (at once) when the retry
 * would start after the client's deadline. */
int aws_backoff_sleep(struct aws_client *c, int retry);
/* A new easy handle sharing the client's connections and DNS cache. */
CURL *aws_client_handle(struct aws_client *c);
bool aws_client_interrupted(const struct aws_client *c);

/* Query protocol with explicit credentials (NULL = the client's) or
 * unsigned: used by the credential chain for STS. */
int aws_query_ex(struct aws_client *c, const char *service, const char *action,
                 const struct aws_params *params, enum aws_idempotency idem,
                 const struct aws_creds *creds, bool unsigned_request, xmlDocPtr *doc,
                 struct aws_error *err);

/* ---- credentials (credentials.c) ---- */
/* Resolve credentials through the chain into out. Returns 0 or -1 with err. */
int aws_creds_resolve(struct aws_client *c, struct aws_creds *out, struct aws_error *err);
/* The region of the profile (AWS_CONFIG_FILE), "" when none. Returns -1
 * with err when the config file exists but cannot be parsed. */
int aws_profile_region(const char *profile, char *out, size_t n, struct aws_error *err);
/*
 * Whether container credentials may be fetched from url (the ECS/EKS
 * agent's, from AWS_CONTAINER_CREDENTIALS_*_URI), as the AWS SDKs allow:
 * https to any host; plain http only to a loopback host (127.0.0.0/8,
 * [::1], localhost) or the agents' link-local 169.254.170.2,
 * 169.254.170.23 and [fd00:ec2::23]. The host is libcurl's reading of
 * url, the one it would connect to. When false, why (n bytes) says why;
 * it names the host, never the user info.
 */
bool aws_container_url_ok(const char *url, char *why, size_t n);
/* Parse credential_process / container JSON (Version 1 or the ECS form)
 * into out. Returns 0, or -1 with a reason in err. */
int aws_creds_from_json(const char *json, size_t len, const char *source, struct aws_creds *out,
                        struct aws_error *err);

/* Fill out with copies (token NULL or "" for none); out is overwritten. */
void aws_creds_set(struct aws_creds *out, const char *akid, const char *secret, const char *token,
                   int64_t expires, const char *source);
/* Wipe every string in a JSON tree (NULL-safe), before it is freed. */
void aws_json_wipe(json_t *j);

/* ---- IAM Identity Center (creds_sso.c) ---- */
/* A profile's SSO settings, resolved (the sso-session's or the legacy
 * profile's own); all borrowed. */
struct aws_sso_config {
	const char *profile; /* the profile holding them: the one to `aws sso login` */
	const char *session; /* sso_session; NULL for the legacy form */
	const char *start_url, *region, *account_id, *role_name;
};
/*
 * The role's credentials for sc: from the aws CLI's cache, or the token
 * cache (refreshed when near its expiry, for a session) and the portal's
 * GetRoleCredentials. Returns 0, or -1 with err; SSOLoginRequired when no
 * valid token is left (the message names `aws sso login --profile NAME`).
 */
int aws_sso_credentials(struct aws_client *c, const struct aws_sso_config *sc,
                        struct aws_creds *out, struct aws_error *err);
/* The file names, hex, as botocore computes them: the token cache's
 * (SSOTokenLoader) and the role credentials' (SSOCredentialFetcher). */
void aws_sso_token_cache_key(const struct aws_sso_config *sc, char out[41]);
void aws_sso_role_cache_key(const struct aws_sso_config *sc, char out[41]);

/* ---- STS from the chain (sts.c) ---- */
struct sts_assume_options;
/* AssumeRole (token NULL; signed with base, NULL = the client's) or
 * AssumeRoleWithWebIdentity (token set; unsigned). source names the
 * credentials in messages (NULL: "assumed role 'ARN'"). */
int sts_assume(struct aws_client *c, const char *action, const char *role_arn, const char *token,
               const struct sts_assume_options *o, const struct aws_creds *base, const char *source,
               struct aws_creds *out, struct aws_error *err);

#endif
