/*
 * AWS Signature Version 4: pure, staged functions that take the time as a
 * parameter. Header signing and presigned URLs (query signing), session
 * tokens, the generic rules (path normalisation, double URI encoding) and
 * the S3 rules (no normalisation, single encoding, x-amz-content-sha256).
 */
#ifndef EBCTL_SIGV4_H
#define EBCTL_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebctl/util.h"

/* A set of credentials. Strings are owned by the struct (aws_creds_cleanup
 * wipes and frees them). expires is epoch seconds, 0 for "never". */
struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when none */
	int64_t expires;
	char *source; /* where they came from, for messages: "environment", "profile 'ci'" */
	bool fixed;   /* keys from the environment or a profile: asking again gives the same */
};
void aws_creds_cleanup(struct aws_creds *c);
/* Deep copy; dst is overwritten (not freed first). */
void aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src);

/* A header's name and value (with their lengths), owned by the request. */
struct sigv4_header {
	char *name;
	char *value;
	size_t name_len, value_len;
};

/* The request to sign. All strings owned by the struct (sigv4_request_cleanup):
 * path and query are allocated on their own (a caller may replace one with
 * another malloc'd string).
 * path is the raw path as it goes on the wire (already percent-encoded by the
 * caller where needed: for S3 keys use sigv4_uri_encode(keep_slash=true)),
 * query is the raw query string without '?' (NULL or "" for none). */
struct sigv4_request {
	char *method;
	char *path;
	char *query;
	struct sigv4_header *headers;
	size_t nheaders;
	const unsigned char *body; /* borrowed; may be NULL */
	size_t body_len;
	/* Hex SHA-256 of the body computed by the caller (streamed uploads), or
	 * "UNSIGNED-PAYLOAD"; NULL means hash body/body_len. Borrowed. */
	const char *payload_hash;
};
void sigv4_request_init(struct sigv4_request *r, const char *method, const char *path,
                        const char *query);
/* Append a header (copies name and value). */
void sigv4_request_add_header(struct sigv4_request *r, const char *name, const char *value);
/* Value of the first header with that name (case-insensitive), or NULL; borrowed. */
const char *sigv4_request_header(const struct sigv4_request *r, const char *name);
void sigv4_request_cleanup(struct sigv4_request *r);

enum sigv4_flags {
	SIGV4_S3 =
	    1 << 0, /* S3 rules: no path normalisation, single encoding, content-sha256 header */
	SIGV4_NO_NORMALIZE = 1 << 1,     /* generic service, but leave the path as it is */
	SIGV4_CONTENT_SHA256 = 1 << 2,   /* add x-amz-content-sha256 for a non-S3 service too */
	SIGV4_UNSIGNED_PAYLOAD = 1 << 3, /* payload hash "UNSIGNED-PAYLOAD" */
	SIGV4_TOKEN_AFTER = 1 << 4, /* add the session token after signing, unsigned (STS quirk) */
};

struct sigv4_params {
	const char *service;
	const char *region;
	int64_t time;         /* epoch seconds, 1970-9999; the caller decides the clock */
	unsigned flags;       /* enum sigv4_flags */
	long presign_expires; /* > 0: query signing (presigned URL) valid this many seconds */
};

/* Every stage, for callers and tests. All strings owned (sigv4_result_cleanup,
 * which wipes those that may hold the session token). */
struct sigv4_result {
	char *canonical_request;
	char *string_to_sign;
	char signature[65]; /* 64 hex; "" until signed */
	/* header signing: the Authorization value, borrowed from the request's
	 * Authorization header (valid until the request is cleaned up or
	 * signed again); NULL when presigning */
	const char *authorization;
	/* presigning: the query of the presigned URL (without '?'): the
	 * request's parameters, then X-Amz-Algorithm, -Credential, -Date,
	 * -Expires, -SignedHeaders, -Security-Token and -Signature (botocore's
	 * order) */
	char *query;
};
void sigv4_result_cleanup(struct sigv4_result *r);

/*
 * Sign req with creds at p->time, as botocore does. Header signing sets
 * X-Amz-Date to that time (a Date header, when the request has one, takes
 * it instead, RFC 2822, and X-Amz-Date goes), X-Amz-Security-Token (with a
 * token) and Authorization, replacing the request's own, and
 * x-amz-content-sha256: S3 and SIGV4_UNSIGNED_PAYLOAD
 * set it to the payload hash (replacing one the request carries),
 * SIGV4_CONTENT_SHA256 adds it when it is missing. An x-amz-content-sha256
 * the signer leaves in place is the payload hash that is signed.
 * Presigning signs the headers as they are and fills out->query.
 * Returns 0, or -1 when the request cannot be signed (no Host header, bad
 * parameters), with a message in err. Keeps nothing between calls (the
 * signing key is derived for each and wiped): any thread may sign.
 */
int sigv4_sign(struct sigv4_request *req, const struct aws_creds *creds,
               const struct sigv4_params *p, struct sigv4_result *out, char *err, size_t errlen);

/* RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) stay, everything else is %XX upper case; '/' stays
 * when keep_slash. Appends to out. */
void sigv4_uri_encode(struct buf *out, const char *s, size_t len, bool keep_slash);

/* Build a form or query string "k1=v1&k2=v2" from pairs, strictly encoded,
 * in the order given. Appends to out. */
void sigv4_form_encode(struct buf *out, const char *const *keys, const char *const *values,
                       size_t n);

/*
 * Parse a raw HTTP/1.1 request (request line, "Name:value" headers, blank
 * line, body; LF or CRLF) as in the AWS test suites. Multi-line header
 * values (continuation lines starting with whitespace) are joined. The
 * method and the header names must be HTTP tokens, the path free of control
 * characters; a fragment ("#...") is left out, as clients do. body points
 * into data (borrowed). Returns 0, or -1 with a message in err.
 */
int sigv4_parse_raw(const char *data, size_t len, struct sigv4_request *out, char *err,
                    size_t errlen);

/* Hex SHA-256 of data into out (65 bytes). */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
