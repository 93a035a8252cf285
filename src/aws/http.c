/*
 * The HTTP engine (libcurl) of the AWS client: one reused easy handle per
 * client, signing per attempt with the credentials the client gives
 * (client.c), the "standard" retry mode, clock-skew correction and
 * timeouts. The --debug traces it hands to libcurl are in trace.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "internal.h"

/* curl's upload buffer for bodies of this size and up (its default is 64 KiB) */
#define UPLOAD_BUFFER (1024L * 1024L)

/* ---- retry classification ---- */

static bool in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;
	if (!code || !*code)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

bool aws_throttling_code(const char *code)
{
	static const char *const codes[] = {
	    "Throttling",
	    "ThrottlingException",
	    "ThrottledException",
	    "RequestThrottledException",
	    "TooManyRequestsException",
	    "ProvisionedThroughputExceededException",
	    "TransactionInProgressException",
	    "RequestLimitExceeded",
	    "BandwidthLimitExceeded",
	    "LimitExceededException",
	    "RequestThrottled",
	    "SlowDown",
	    "PriorRequestNotComplete",
	    "EC2ThrottledException",
	};
	return in_list(code, codes, EBCTL_ARRAY_LEN(codes));
}

bool aws_error_throttled(const struct aws_error *e)
{
	return e->http_status == 429 || aws_throttling_code(e->code);
}

bool aws_retryable_code(const char *code)
{
	/* the transient errors of the standard mode, besides throttling; and
	 * S3's answers to a body damaged on the way (its checksum or its signed
	 * SHA-256 does not match the bytes received), which the same bytes
	 * sent again fix */
	static const char *const codes[] = {
	    "RequestTimeout", "RequestTimeoutException",   "InternalError", "ServiceUnavailable",
	    "BadDigest",      "XAmzContentSHA256Mismatch",
	};
	return aws_throttling_code(code) || in_list(code, codes, EBCTL_ARRAY_LEN(codes));
}

bool aws_retryable_status(long status)
{
	return status == 500 || status == 502 || status == 503 || status == 504 || status == 429;
}

bool aws_skew_code(const char *code, const char *message)
{
	if (strcmp(code, "RequestTimeTooSkewed") == 0 || strcmp(code, "RequestExpired") == 0 ||
	    strcmp(code, "SignatureExpired") == 0)
		return true;
	/* These are a skew only when they say so: "Signature expired: X is now
	 * earlier than Y" (SignatureDoesNotMatch is how the Query services,
	 * Elastic Beanstalk and STS, answer a skewed clock) */
	if (strcmp(code, "InvalidSignatureException") == 0 || strcmp(code, "AuthFailure") == 0 ||
	    strcmp(code, "SignatureDoesNotMatch") == 0)
		return message &&
		       (strstr(message, "expired") || strstr(message, "Signature not yet current"));
	return false;
}

bool aws_expired_token_code(const char *code)
{
	return strcmp(code, "ExpiredToken") == 0 || strcmp(code, "ExpiredTokenException") == 0 ||
	       strcmp(code, "TokenRefreshRequired") == 0;
}

unsigned long aws_backoff_ms(unsigned long base_ms, int attempt, double r)
{
	double ceiling = (double)base_ms;
	int i;
	for (i = 1; i < attempt && ceiling < AWS_MAX_BACKOFF_MS; i++)
		ceiling *= 2;
	if (ceiling > AWS_MAX_BACKOFF_MS)
		ceiling = AWS_MAX_BACKOFF_MS;
	if (r < 0)
		r = 0;
	if (r > 1)
		r = 1;
	return (unsigned long)(ceiling * r);
}

int64_t aws_skew_from_date(const char *date, int64_t local_now)
{
	time_t t;
	if (!date || !*date)
		return 0;
	t = curl_getdate(date, NULL);
	if (t == (time_t)-1)
		return 0;
	return (int64_t)t - local_now;
}

double aws_jitter(void)
{
	uint32_t v;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0.5;
	return (double)v / (double)UINT32_MAX;
}

bool aws_client_interrupted(const struct aws_client *c)
{
	return c->interrupted && *c->interrupted;
}

/* Sleep ms in short steps; -1 when interrupted meanwhile. */
static int backoff_wait(struct aws_client *c, unsigned long ms)
{
	int64_t end = time_mono_ms() + (int64_t)ms;
	for (;;) {
		int64_t left = end - time_mono_ms();
		struct timespec ts;
		if (aws_client_interrupted(c))
			return -1;
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

int aws_backoff_sleep(struct aws_client *c, int retry)
{
	unsigned long ms = aws_backoff_ms(c->retry_base_ms, retry, aws_jitter());
	if (c->deadline_ms && time_mono_ms() + (int64_t)ms >= c->deadline_ms)
		return 1; /* the retry would start after the deadline */
	debugf("retrying in %lu ms", ms);
	return backoff_wait(c, ms);
}

/* ---- requests and responses ---- */

void aws_request_init(struct aws_request *r, const char *method, const char *service,
                      const char *step)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->service = service;
	r->fd = -1;
	snprintf(r->step, sizeof(r->step), "%s", step);
}

void aws_request_header(struct aws_request *r, const char *name, const char *value)
{
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

static void headers_free(struct aws_header *h, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(h[i].name);
		free_secret(h[i].value);
	}
	free(h);
}

void aws_request_cleanup(struct aws_request *r)
{
	headers_free(r->headers, r->nheaders);
	free(r->path);
	free(r->query);
	free(r->raw_url);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

const char *aws_response_header(const struct aws_response *r, const char *name)
{
	return aws_header_find(r->headers, r->nheaders, name);
}

void aws_response_cleanup(struct aws_response *r)
{
	headers_free(r->headers, r->nheaders);
	buf_free_secret(&r->body);
	memset(r, 0, sizeof(*r));
}

static void response_reset(struct aws_response *r)
{
	size_t max = r->body.max;
	headers_free(r->headers, r->nheaders);
	r->headers = NULL;
	r->nheaders = 0;
	buf_free_secret(&r->body);
	buf_init(&r->body, max);
	r->status = 0;
}

/* ---- one attempt ---- */

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct aws_xfer *x = arg;
	struct aws_request *r = x->req;
	size_t want = size * nmemb;
	uint64_t total = r->body_kind == AWS_BODY_FILE ? r->length : r->body_len;
	uint64_t left = total - x->pos;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (r->body_kind == AWS_BODY_MEM) {
		memcpy(dst, (const char *)r->body + x->pos, want);
	} else {
		ssize_t got = pread(r->fd, dst, want, (off_t)(r->offset + x->pos));
		if (got <= 0) {
			x->source_errno = got < 0 ? errno : -1;
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)got;
	}
	x->pos += want;
	if (r->progress)
		r->progress(x->pos, r->progress_arg);
	return want;
}

/* curl rewinds the body to resend it on a fresh connection */
static int seek_cb(void *arg, curl_off_t offset, int origin)
{
	struct aws_xfer *x = arg;
	if (origin != SEEK_SET || offset < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	x->pos = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct aws_xfer *x = arg;
	size_t n = size * nmemb;
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (x->req->sink && status >= 200 && status < 300) {
		if (x->req->max_body && n > x->req->max_body - x->sunk) {
			x->overflow = true;
			return 0;
		}
		errno = 0;
		if (fwrite(data, 1, n, x->req->sink) != n) {
			x->sink_errno = errno ? errno : EIO;
			return 0;
		}
		x->sunk += n;
		return n;
	}
	if (buf_add(&x->resp->body, data, n) != 0) {
		x->overflow = true;
		return 0;
	}
	return n;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct aws_xfer *x = arg;
	struct aws_response *r = x->resp;
	size_t n = size * nmemb, nlen;
	const char *colon, *v, *end = data + n;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue or a redirect) */
		headers_free(r->headers, r->nheaders);
		r->headers = NULL;
		r->nheaders = 0;
		return n;
	}
	colon = memchr(data, ':', n);
	if (!colon || r->nheaders >= 200)
		return n;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name = xstrndup(data, nlen);
	r->headers[r->nheaders].value = xstrndup(v, (size_t)(end - v));
	r->nheaders++;
	return n;
}

/* Called by curl at least once a second: interruption, and the read
 * timeout as "no byte moved either way for read_timeout_ms" (curl's own
 * low-speed limit averages over a window and reacts seconds late). */
static int xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct aws_xfer *x = arg;
	int64_t now = time_mono_ms();
	(void)dltotal;
	(void)ultotal;
	if (aws_client_interrupted(x->c))
		return 1;
	if (dlnow != x->last_dl || ulnow != x->last_ul) {
		x->last_dl = dlnow;
		x->last_ul = ulnow;
		x->last_move_ms = now;
	} else if (now - x->last_move_ms > x->c->read_timeout_ms) {
		x->timed_out = true;
		return 1;
	}
	return 0;
}

static void add_header(struct aws_xfer *x, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *n = curl_slist_append(x->hdrs, line);
	free_secret(line);
	if (!n)
		die("out of memory");
	x->hdrs = n;
}

int aws_xfer_setup(struct aws_client *c, CURL *h, struct aws_request *req,
                   struct aws_response *resp, struct aws_xfer *x, struct aws_error *err)
{
	struct sigv4_request sr;
	struct sigv4_params sp;
	struct sigv4_result res;
	struct aws_creds creds;
	char *url = NULL, msg[256];
	size_t i;
	uint64_t body_len = req->body_kind == AWS_BODY_FILE ? req->length : req->body_len;
	int64_t now;
	long limit;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	memset(&res, 0, sizeof(res));
	memset(&creds, 0, sizeof(creds));
	now = time_mono_ms();
	if (c->deadline_ms && now >= c->deadline_ms) {
		aws_error_set(err, req->step, "RequestTimeout",
		              "not sent: the command's time (--timeout) is up");
		err->deadline = true;
		return -1;
	}
	sigv4_request_init(&sr, req->method, req->path ? req->path : "/", req->query);
	x->c = c;
	x->req = req;
	x->resp = resp;
	x->h = h;
	x->last_move_ms = time_mono_ms();
	response_reset(resp);
	if (req->max_body)
		resp->body.max = req->max_body;
	else
		resp->body.max = AWS_MAX_RESPONSE;

	if (req->raw_url) {
		url = xstrdup(req->raw_url);
	} else {
		if (req->query && *req->query)
			url = xasprintf("%s%s?%s", req->ep.url, req->path ? req->path : "/",
			                req->query);
		else
			url = xasprintf("%s%s", req->ep.url, req->path ? req->path : "/");
		/* the path in the URL includes the endpoint's base path; so does the signature */
		free(sr.path);
		sr.path = xasprintf("%s%s", req->ep.base_path, req->path ? req->path : "/");
		sigv4_request_add_header(&sr, "Host", req->ep.host);
	}
	for (i = 0; i < req->nheaders; i++)
		sigv4_request_add_header(&sr, req->headers[i].name, req->headers[i].value);

	if (!req->unsigned_request && !req->raw_url) {
		const struct aws_creds *use = req->creds;
		if (!use) {
			if (c->creds_get(c, &creds, err) != 0)
				goto out;
			use = &creds;
			x->creds_gen = c->creds_gen;
		}
		x->signed_request = true;
		if (req->body_kind == AWS_BODY_MEM) {
			sr.body = req->body;
			sr.body_len = req->body_len;
		}
		if (req->payload_hash[0])
			sr.payload_hash = req->payload_hash;
		memset(&sp, 0, sizeof(sp));
		sp.service = req->service;
		sp.region = req->ep.signing_region;
		sp.time = time_now() + c->skew;
		sp.flags = req->sign_flags;
		if (sigv4_sign(&sr, use, &sp, &res, msg, sizeof(msg)) != 0) {
			aws_error_set(err, req->step, "SigningError", "cannot sign the request: %s",
			              msg);
			goto out;
		}
	}
	for (i = 0; i < sr.nheaders; i++)
		if (!req->raw_url || strcasecmp(sr.headers[i].name, "Host") != 0)
			add_header(x, sr.headers[i].name, sr.headers[i].value);
	/* no 100-continue round trip; curl's defaults that we do not sign */
	add_header(x, "Expect", "");
	if (req->body_kind == AWS_BODY_NONE && strcmp(req->method, "POST") == 0)
		add_header(x, "Content-Type", "");

	curl_easy_reset(h);
	if (c->share)
		curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	/* The whole attempt is bounded, so an answer that trickles in a byte
	 * at a time ends too; and no attempt runs past the command's deadline. */
	limit = req->total_timeout_ms ? req->total_timeout_ms : c->request_timeout_ms;
	if (c->deadline_ms && c->deadline_ms - now < limit) {
		limit = (long)(c->deadline_ms - now);
		x->by_deadline = true;
	}
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, limit > 0 ? limit : 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 req->connect_timeout_ms ? req->connect_timeout_ms : c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	if (ebctl_debug) {
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, aws_trace_cb);
		aws_trace_body(req);
	}
	if (req->head) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_len);
		/* a big body in bigger writes: a sixteenth of the calls and wake-ups */
		if (body_len >= UPLOAD_BUFFER)
			curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, (long)UPLOAD_BUFFER);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	if (req->body_kind != AWS_BODY_NONE || strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "POST") == 0) {
		/* always ours: an empty PUT must not read stdin */
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, x);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, x);
	}
	/* A kept-alive connection may have been closed by the server while
	 * idle; curl then resends the request on a new one. A call that must
	 * not be sent twice gets a fresh connection so that never happens. */
	if (req->idem == AWS_NOT_IDEMPOTENT)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	rc = 0;
out:
	if (rc != 0) {
		curl_slist_free_all(x->hdrs);
		x->hdrs = NULL;
	}
	free_secret(url); /* curl keeps its own copy; presigned URLs are credentials */
	sigv4_request_cleanup(&sr);
	sigv4_result_cleanup(&res);
	aws_creds_cleanup(&creds);
	return rc;
}

/* Network failures after which the request certainly did not reach the server. */
static bool not_sent(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY;
}

static bool transient_network(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_FAIL_REWIND: return true;
	default: return false;
	}
}

enum aws_verdict aws_xfer_finish(struct aws_xfer *x, CURLcode rc, struct aws_error *err)
{
	struct aws_response *resp = x->resp;
	struct aws_request *req = x->req;
	enum aws_verdict v = AWS_DONE_FAIL;
	const char *rid;

	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &resp->status);
	aws_error_clear(err);
	snprintf(err->step, sizeof(err->step), "%s", req->step);

	if (rc != CURLE_OK) {
		if (aws_client_interrupted(x->c)) {
			aws_error_interrupted(err, req->step);
			return AWS_DONE_FAIL;
		}
		if (x->sink_errno) {
			snprintf(err->code, sizeof(err->code), "IOError");
			snprintf(err->message, sizeof(err->message),
			         "cannot write the download: %s", strerror(x->sink_errno));
			return AWS_DONE_FAIL;
		}
		if (x->source_errno) {
			/* the file under the body, not the network: no retry helps */
			snprintf(err->code, sizeof(err->code), "IOError");
			snprintf(err->message, sizeof(err->message), "cannot read the body: %s",
			         x->source_errno > 0 ? strerror(x->source_errno)
			                             : "the file shrank while it was sent");
			return AWS_DONE_FAIL;
		}
		if (x->overflow) {
			snprintf(err->code, sizeof(err->code), "ResponseTooLarge");
			snprintf(err->message, sizeof(err->message),
			         "the response is larger than %zu bytes",
			         resp->body.max ? resp->body.max : (size_t)AWS_MAX_RESPONSE);
			return AWS_DONE_FAIL;
		}
		err->network = true;
		snprintf(err->code, sizeof(err->code), "NetworkError");
		if (x->timed_out) {
			snprintf(err->message, sizeof(err->message),
			         "no data for %ld s (EBCTL_READ_TIMEOUT)",
			         x->c->read_timeout_ms / 1000);
			rc = CURLE_OPERATION_TIMEDOUT;
		} else if (rc == CURLE_OPERATION_TIMEDOUT && x->by_deadline) {
			snprintf(err->code, sizeof(err->code), "RequestTimeout");
			snprintf(err->message, sizeof(err->message),
			         "no complete answer before the command's time (--timeout) was up");
			err->deadline = true;
			err->unknown_outcome = req->idem == AWS_NOT_IDEMPOTENT;
			return AWS_DONE_FAIL;
		} else if (rc == CURLE_OPERATION_TIMEDOUT) {
			snprintf(err->message, sizeof(err->message),
			         "no complete answer in %ld s (EBCTL_REQUEST_TIMEOUT)",
			         (req->total_timeout_ms ? req->total_timeout_ms
			                                : x->c->request_timeout_ms) /
			             1000);
		} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
			/* say whose certificate, and how to trust a private CA */
			snprintf(err->message, sizeof(err->message),
			         "cannot verify the TLS certificate of '%s': %s (AWS_CA_BUNDLE "
			         "names a CA bundle to trust)",
			         req->ep.host, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		} else {
			snprintf(err->message, sizeof(err->message), "%s",
			         x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		}
		if (!transient_network(rc))
			return AWS_DONE_FAIL;
		if (req->idem == AWS_NOT_IDEMPOTENT && !not_sent(rc)) {
			/* sent, no answer: the caller decides (it knows how to check) */
			err->unknown_outcome = true;
			return AWS_DONE_FAIL;
		}
		return AWS_DONE_RETRY;
	}

	rid = aws_response_header(resp, "x-amz-request-id");
	if (!rid)
		rid = aws_response_header(resp, "x-amzn-RequestId");
	if (rid)
		snprintf(err->request_id, sizeof(err->request_id), "%s", rid);
	if (resp->status >= 200 && resp->status < 300) {
		aws_error_clear(err);
		return AWS_DONE_OK;
	}

	err->http_status = resp->status;
	if (aws_xml_parse_error(resp->body.ptr, resp->body.len, err) != 0)
		aws_json_parse_error(resp->body.ptr, resp->body.len,
		                     aws_response_header(resp, "x-amzn-ErrorType"), err);
	if (!err->code[0]) {
		/* HEAD answers and proxies carry no AWS body */
		static const struct {
			long status;
			const char *code;
		} generic[] = {{301, "PermanentRedirect"},
		               {400, "BadRequest"},
		               {403, "Forbidden"},
		               {404, "NotFound"},
		               {429, "TooManyRequestsException"},
		               {500, "InternalError"},
		               {503, "ServiceUnavailable"}};
		size_t i;
		for (i = 0; i < EBCTL_ARRAY_LEN(generic); i++)
			if (generic[i].status == resp->status)
				snprintf(err->code, sizeof(err->code), "%s", generic[i].code);
		if (!err->code[0])
			snprintf(err->code, sizeof(err->code), "HTTP%ld", resp->status);
	}
	if (!err->message[0]) {
		if (resp->status == 301 || resp->status == 307) {
			const char *reg = aws_response_header(resp, "x-amz-bucket-region");
			snprintf(err->message, sizeof(err->message),
			         "the bucket is in another region%s%s", reg ? ": " : "",
			         reg ? reg : "");
		} else {
			snprintf(err->message, sizeof(err->message), "HTTP status %ld",
			         resp->status);
		}
	}
	if (x->signed_request && aws_expired_token_code(err->code)) {
		v = AWS_DONE_EXPIRED;
	} else if (aws_skew_code(err->code, err->message)) {
		v = AWS_DONE_SKEW;
	} else if (aws_retryable_status(resp->status) || aws_retryable_code(err->code)) {
		v = AWS_DONE_RETRY;
		/* A server error may come after the call took effect (a gateway's
		 * 502 or 504, a service's 500): a call that must not run twice is
		 * not resent blindly, its caller checks first, as after a lost
		 * answer. Throttling and 503 refuse the call: safe to resend. */
		if (req->idem == AWS_NOT_IDEMPOTENT && resp->status != 503 && resp->status != 429 &&
		    !aws_throttling_code(err->code)) {
			err->unknown_outcome = true;
			v = AWS_DONE_FAIL;
		}
	}
	return v;
}

/*
 * The standard mode's retry quota: a client starts with 500 tokens; a
 * retry costs 5 (10 after a timeout); a success gives back what its
 * retries took, or 1. Once the bucket is empty, failures are no longer
 * retried: a service in trouble is not hammered by every call.
 */
bool aws_retry_quota_acquire(struct aws_client *c, const struct aws_error *err, int *held)
{
	int cost = err->network && strstr(err->message, "imed out") ? AWS_RETRY_COST_TIMEOUT
	                                                            : AWS_RETRY_COST;
	if (c->retry_tokens < cost)
		return false;
	c->retry_tokens -= cost;
	*held += cost;
	return true;
}

void aws_retry_quota_release(struct aws_client *c, int held)
{
	c->retry_tokens += held > 0 ? held : 1;
	if (c->retry_tokens > AWS_RETRY_QUOTA)
		c->retry_tokens = AWS_RETRY_QUOTA;
}

enum aws_next aws_retry_next(struct aws_client *c, struct aws_retry *r, enum aws_verdict v,
                             struct aws_xfer *x, const struct aws_response *resp,
                             unsigned long *backoff_ms, struct aws_error *err)
{
	const char *step = x->req->step;
	*backoff_ms = 0;
	if (v == AWS_DONE_OK) {
		aws_retry_quota_release(c, r->held);
		r->held = 0;
		return AWS_NEXT_DONE;
	}
	if (v == AWS_DONE_SKEW && !r->skew_fixed) {
		int64_t skew = aws_skew_from_date(aws_response_header(resp, "Date"), time_now());
		r->skew_fixed = true;
		if (skew != 0) {
			debugf(
			    "%s: clock skew of %lld s against the server: correcting and retrying",
			    step, (long long)skew);
			c->skew = skew;
			r->tries--; /* the corrected retry does not use up an attempt */
			return AWS_NEXT_NOW;
		}
	}
	if (v == AWS_DONE_EXPIRED) {
		if (r->renewed) {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l,
			         " (even with new credentials from %s)",
			         c->creds.source ? c->creds.source : "?");
			return AWS_NEXT_FAIL;
		}
		/* parallel parts signed with the same credentials renew them once */
		if (c->creds_renew(c, x, err) != 0)
			return AWS_NEXT_FAIL;
		r->renewed = true;
		r->tries--; /* as after a skew: the renewed attempt is not counted */
		return AWS_NEXT_NOW;
	}
	if (!(v == AWS_DONE_RETRY ||
	      (r->retry_unknown && v == AWS_DONE_FAIL && err->unknown_outcome)) ||
	    r->tries >= r->max)
		return AWS_NEXT_FAIL;
	if (!aws_retry_quota_acquire(c, err, &r->held)) {
		debugf("%s: retry quota exhausted, not retrying", step);
		return AWS_NEXT_FAIL;
	}
	debugf("%s: %s %s (attempt %d of %d)", step, err->code, err->message, r->tries, r->max);
	*backoff_ms = aws_backoff_ms(c->retry_base_ms, r->tries, aws_jitter());
	if (c->deadline_ms && time_mono_ms() + (int64_t)*backoff_ms >= c->deadline_ms) {
		size_t l = strlen(err->message);
		snprintf(err->message + l, sizeof(err->message) - l,
		         " (not retried: the command's time, --timeout, is up before the retry)");
		/* the error is still the server's: exit 3, not a time-out */
		return AWS_NEXT_FAIL;
	}
	return AWS_NEXT_BACKOFF;
}

int aws_send(struct aws_client *c, struct aws_request *req, struct aws_response *resp,
             struct aws_error *err)
{
	struct aws_xfer x;
	struct aws_retry r;
	int requests = 0;

	memset(&r, 0, sizeof(r));
	r.max = req->max_attempts > 0 ? req->max_attempts : c->max_attempts;
	for (;;) {
		unsigned long wait_ms;
		int64_t pace_ms, reserved_ms;
		CURLcode rc;

		if (aws_client_interrupted(c))
			return aws_error_interrupted(err, req->step);
		/* after a throttling, the clients sharing the pacer wait their turn
		 * (no longer than the deadline, which the setup then reports) */
		reserved_ms = time_mono_ms();
		pace_ms = aws_pacer_reserve(c->pacer, req->step, reserved_ms, c->retry_base_ms);
		if (pace_ms > 0) {
			if (c->deadline_ms && reserved_ms + pace_ms > c->deadline_ms)
				pace_ms = c->deadline_ms - reserved_ms;
			debugf("%s: %lld ms before its turn", req->step, (long long)pace_ms);
			if (pace_ms > 0 && backoff_wait(c, (unsigned long)pace_ms) != 0)
				return aws_error_interrupted(err, req->step);
		}
		if (aws_xfer_setup(c, c->easy, req, resp, &x, err) != 0)
			return -1;
		r.tries++;
		requests++;
		if (req->sink && requests > 1) {
			/* start the file over for the new attempt */
			fflush(req->sink);
			if (ftruncate(fileno(req->sink), 0) != 0 ||
			    fseek(req->sink, 0, SEEK_SET) != 0) {
				aws_error_set(err, req->step, "IOError",
				              "cannot rewind the output file: %s", strerror(errno));
				curl_slist_free_all(x.hdrs);
				return -1;
			}
		}
		rc = curl_easy_perform(c->easy);
		{
			enum aws_verdict v = aws_xfer_finish(&x, rc, err);
			err->attempts = requests;
			aws_pacer_answer(c->pacer, req->step, reserved_ms,
			                 v != AWS_DONE_OK && aws_error_throttled(err),
			                 time_mono_ms(), c->retry_base_ms);
			switch (aws_retry_next(c, &r, v, &x, resp, &wait_ms, err)) {
			case AWS_NEXT_DONE: return 0;
			case AWS_NEXT_FAIL: return -1;
			case AWS_NEXT_NOW: continue;
			case AWS_NEXT_BACKOFF: break;
			}
		}
		/* a shared pacer spaces a throttled operation for every client:
		 * its wait, before the next attempt, not this client's own too */
		if (c->pacer && aws_error_throttled(err))
			wait_ms = 0;
		debugf("retrying in %lu ms", wait_ms);
		if (backoff_wait(c, wait_ms) != 0)
			return aws_error_interrupted(err, req->step);
	}
}
