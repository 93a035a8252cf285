/*
 * The AWS client and its HTTP engine (libcurl): one reused easy handle per
 * client, a share handle so parallel transfers reuse connections, signing
 * per attempt, the "standard" retry mode, clock-skew correction and
 * timeouts. The --debug traces it hands to libcurl are in trace.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <openssl/rand.h>

#include "internal.h"

/* curl's upload buffer for bodies of this size and up (its default is 64 KiB) */
#define UPLOAD_BUFFER (1024L * 1024L)

/* ---- errors ---- */

void aws_error_clear(struct aws_error *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

void aws_error_set(struct aws_error *e, const char *step, const char *code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	aws_error_clear(e);
	snprintf(e->step, sizeof(e->step), "%s", step ? step : "");
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

const char *aws_error_format(const struct aws_error *e, char *out, size_t n)
{
	struct buf b = BUF_INIT;
	if (e->step[0])
		buf_printf(&b, "%s: ", e->step);
	if (e->code[0])
		buf_printf(&b, "%s: ", e->code);
	buf_puts(&b, e->message[0] ? e->message : "failed");
	if (e->http_status || e->request_id[0] || e->attempts > 1) {
		const char *sep = "";
		buf_puts(&b, " (");
		if (e->http_status) {
			buf_printf(&b, "HTTP %ld", e->http_status);
			sep = ", ";
		}
		if (e->request_id[0]) {
			buf_printf(&b, "%srequest id %s", sep, e->request_id);
			sep = ", ";
		}
		if (e->attempts > 1)
			buf_printf(&b, "%s%d attempts", sep, e->attempts);
		buf_puts(&b, ")");
	}
	snprintf(out, n, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

void aws_error_print(const struct aws_error *e)
{
	char msg[1200];
	errorf("%s", aws_error_format(e, msg, sizeof(msg)));
	if (e->unknown_outcome)
		errorf("the request may have been applied: check before running it again");
}

int aws_error_exit_code(const struct aws_error *e)
{
	return e->interrupted ? EB_EXIT_INTERRUPTED : e->deadline ? EB_EXIT_TIMEOUT : EB_EXIT_AWS;
}

/* ---- parameters ---- */

void aws_params_add(struct aws_params *p, const char *key, const char *value)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n].key = xstrdup(key);
	p->v[p->n].value = xstrdup(value ? value : "");
	p->n++;
}

void aws_params_addf(struct aws_params *p, const char *value, const char *keyfmt, ...)
{
	struct buf k = BUF_INIT;
	va_list ap;
	va_start(ap, keyfmt);
	buf_vprintf(&k, keyfmt, ap);
	va_end(ap);
	aws_params_add(p, buf_cstr(&k), value);
	buf_free(&k);
}

const char *aws_params_get(const struct aws_params *p, const char *key)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

void aws_params_free(struct aws_params *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		/* values may carry tokens (AssumeRoleWithWebIdentity) */
		free_secret(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

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
	return in_list(code, codes, EB_ARRAY_LEN(codes));
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
	return aws_throttling_code(code) || in_list(code, codes, EB_ARRAY_LEN(codes));
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

int aws_backoff_sleep(struct aws_client *c, int retry)
{
	unsigned long ms = aws_backoff_ms(c->retry_base_ms, retry, aws_jitter());
	int64_t end = time_mono_ms() + (int64_t)ms;
	if (c->deadline_ms && end >= c->deadline_ms)
		return 1; /* the retry would start after the deadline */
	debugf("retrying in %lu ms", ms);
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

/* ---- client ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
/* Library set-up that must happen once, before clients run in threads. */
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
}

static int env_seconds(const char *name, long def_ms, long *out, struct aws_error *err)
{
	const char *v = getenv(name);
	unsigned long s;
	if (!v || !*v) {
		*out = def_ms;
		return 0;
	}
	if (parse_ulong(v, 1, 86400, &s) != 0) {
		aws_error_set(err, "configuration", "InvalidParameter",
		              "%s '%s' is not a number of seconds (1 to 86400)", name, v);
		return -1;
	}
	*out = (long)s * 1000;
	return 0;
}

/* DNS, TLS sessions and connections shared by the client's handles (one
 * thread: no locks). */
static CURLSH *new_share(void)
{
	CURLSH *sh = curl_share_init();
	if (sh) {
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	}
	return sh;
}

int aws_client_new(const struct aws_client_options *o, struct aws_client **out,
                   struct aws_error *err)
{
	static const struct aws_client_options none;
	struct aws_client *c;
	const char *v;
	unsigned long ul;

	aws_error_clear(err);
	if (!o)
		o = &none;
	pthread_once(&curl_once, curl_init_once);
	c = xcalloc(1, sizeof(*c));
	c->interrupted = o->interrupted;
	snprintf(c->user_agent, sizeof(c->user_agent), "ebctl/%s", EBCTL_VERSION);

	/* --profile, then AWS_PROFILE, then a file's (config.yml); environment
	 * keys come before any but the flag's, as in the SDKs */
	if (o->profile && *o->profile && !o->profile_from) {
		c->profile = xstrdup(o->profile);
		c->profile_explicit = true;
	} else if ((v = getenv("AWS_PROFILE")) && *v) {
		c->profile = xstrdup(v);
	} else if ((v = getenv("AWS_DEFAULT_PROFILE")) && *v) {
		c->profile = xstrdup(v);
	} else if (o->profile && *o->profile) {
		c->profile = xstrdup(o->profile);
		c->profile_from = xstrdup(o->profile_from);
	}
	if (o->role_arn && *o->role_arn)
		c->role_arn = xstrdup(o->role_arn);
	else if ((v = getenv("EBCTL_ROLE_ARN")) && *v)
		c->role_arn = xstrdup(v);

	c->max_attempts = o->max_attempts;
	if (c->max_attempts <= 0) {
		c->max_attempts = 3;
		if ((v = getenv("AWS_MAX_ATTEMPTS")) && *v) {
			if (parse_ulong(v, 1, 20, &ul) != 0) {
				aws_error_set(err, "configuration", "InvalidParameter",
				              "AWS_MAX_ATTEMPTS '%s' is not a number from 1 to 20",
				              v);
				goto fail;
			}
			c->max_attempts = (int)ul;
		}
	}
	c->retry_base_ms = 1000;
	c->retry_tokens = AWS_RETRY_QUOTA;
	if ((v = getenv("EBCTL_RETRY_BASE_MS")) && *v) {
		if (parse_ulong(v, 0, 60000, &ul) != 0) {
			aws_error_set(err, "configuration", "InvalidParameter",
			              "EBCTL_RETRY_BASE_MS '%s' is not valid", v);
			goto fail;
		}
		c->retry_base_ms = ul;
	}
	c->connect_timeout_ms = o->connect_timeout_ms;
	if (!c->connect_timeout_ms &&
	    env_seconds("EBCTL_CONNECT_TIMEOUT", 10000, &c->connect_timeout_ms, err))
		goto fail;
	c->read_timeout_ms = o->read_timeout_ms;
	if (!c->read_timeout_ms &&
	    env_seconds("EBCTL_READ_TIMEOUT", 60000, &c->read_timeout_ms, err))
		goto fail;
	c->request_timeout_ms = o->request_timeout_ms;
	if (!c->request_timeout_ms &&
	    env_seconds("EBCTL_REQUEST_TIMEOUT", 300000, &c->request_timeout_ms, err))
		goto fail;
	c->deadline_ms = o->deadline_ms;
	if ((v = getenv("AWS_CA_BUNDLE")) && *v) {
		if (access(v, R_OK) != 0) {
			aws_error_set(err, "configuration", "InvalidParameter",
			              "AWS_CA_BUNDLE '%s': %s", v, strerror(errno));
			goto fail;
		}
		c->ca_bundle = xstrdup(v);
	}

	/* region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile */
	if (o->region && *o->region)
		snprintf(c->region, sizeof(c->region), "%s", o->region);
	else if ((v = getenv("AWS_REGION")) && *v)
		snprintf(c->region, sizeof(c->region), "%s", v);
	else if ((v = getenv("AWS_DEFAULT_REGION")) && *v)
		snprintf(c->region, sizeof(c->region), "%s", v);
	else if (aws_profile_region(c->profile, c->region, sizeof(c->region), err) != 0)
		goto fail;
	if (c->region[0] && !aws_region_valid(c->region)) {
		aws_error_set(err, "configuration", "InvalidRegion", "invalid region '%s'",
		              c->region);
		goto fail;
	}
	if (!c->region[0] && !o->no_region_ok) {
		aws_error_set(
		    err, "configuration", "NoRegion",
		    "no region: use --region or set AWS_REGION (or region in the profile)");
		goto fail;
	}

	c->share = new_share();
	c->easy = aws_client_handle(c);
	if (!c->easy) {
		aws_error_set(err, "configuration", "InternalError", "cannot initialise libcurl");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	aws_client_free(c);
	*out = NULL;
	return -1;
}

void aws_client_free(struct aws_client *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->share)
		curl_share_cleanup(c->share);
	aws_creds_cleanup(&c->creds);
	free(c->profile);
	free(c->profile_from);
	free(c->role_arn);
	free(c->ca_bundle);
	free(c);
}

void aws_client_set_deadline(struct aws_client *c, int64_t deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

struct aws_client *aws_client_dup(const struct aws_client *c)
{
	struct aws_client *d = xcalloc(1, sizeof(*d));
	memcpy(d->region, c->region, sizeof(d->region));
	d->profile = c->profile ? xstrdup(c->profile) : NULL;
	d->profile_explicit = c->profile_explicit;
	d->profile_from = c->profile_from ? xstrdup(c->profile_from) : NULL;
	d->role_arn = c->role_arn ? xstrdup(c->role_arn) : NULL;
	d->max_attempts = c->max_attempts;
	d->connect_timeout_ms = c->connect_timeout_ms;
	d->read_timeout_ms = c->read_timeout_ms;
	d->request_timeout_ms = c->request_timeout_ms;
	d->deadline_ms = c->deadline_ms;
	d->retry_base_ms = c->retry_base_ms;
	d->retry_tokens = AWS_RETRY_QUOTA;
	d->interrupted = c->interrupted;
	d->ca_bundle = c->ca_bundle ? xstrdup(c->ca_bundle) : NULL;
	memcpy(d->user_agent, c->user_agent, sizeof(d->user_agent));
	d->skew = c->skew;
	if (c->have_creds) {
		aws_creds_copy(&d->creds, &c->creds);
		d->have_creds = true;
		d->creds_fixed = c->creds_fixed;
	}
	/* its own share handle: curl shares need locks across threads */
	d->share = new_share();
	d->easy = aws_client_handle(d);
	if (!d->easy)
		die("cannot initialise libcurl");
	return d;
}

const char *aws_client_region(const struct aws_client *c)
{
	return c->region;
}

CURL *aws_client_handle(struct aws_client *c)
{
	CURL *h = curl_easy_init();
	if (h && c->share)
		curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	return h;
}

/* The client takes fresh credentials from the chain (owned from now on). */
static void take_creds(struct aws_client *c, struct aws_creds *fresh)
{
	aws_creds_cleanup(&c->creds);
	c->creds = *fresh;
	c->have_creds = true;
	c->creds_gen++;
	c->refresh_warned = false;
	c->refresh_after = 0;
	debugf("credentials from %s", c->creds.source ? c->creds.source : "?");
}

static bool creds_fresh(const struct aws_creds *cr, int64_t now)
{
	return cr->expires == 0 || now + AWS_REFRESH_MARGIN < cr->expires;
}

int aws_client_credentials(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	int64_t now = time_now();
	bool valid = c->have_creds && (c->creds.expires == 0 || now < c->creds.expires);

	/* within the refresh margin: refresh, but after a failure not again
	 * for AWS_REFRESH_RETRY seconds while the current ones still work */
	if (!c->have_creds || (!c->creds_fixed && !creds_fresh(&c->creds, now) &&
	                       (!valid || now >= c->refresh_after))) {
		struct aws_creds fresh;
		char msg[1200];
		memset(&fresh, 0, sizeof(fresh));
		if (c->have_creds)
			debugf("credentials from %s expire soon: refreshing",
			       c->creds.source ? c->creds.source : "?");
		if (aws_creds_resolve(c, &fresh, err) != 0) {
			if (!valid)
				return -1;
			/* as the SDKs do: a source that fails for a moment (IMDS,
			 * STS throttling) does not stop a deploy whose credentials
			 * are still good; only their expiry does */
			aws_error_format(err, msg, sizeof(msg));
			debugf("cannot refresh the credentials: %s", msg);
			if (!c->refresh_warned)
				warnf(
				    "cannot refresh the credentials from %s (%s): using them until "
				    "they expire in %lld s",
				    c->creds.source ? c->creds.source : "?", msg,
				    (long long)(c->creds.expires - now));
			c->refresh_warned = true;
			c->refresh_after = now + AWS_REFRESH_RETRY;
			aws_error_clear(err);
		} else {
			take_creds(c, &fresh);
		}
	}
	if (out)
		aws_creds_copy(out, &c->creds);
	return 0;
}

void aws_client_set_credentials(struct aws_client *c, const struct aws_creds *creds)
{
	aws_creds_cleanup(&c->creds);
	aws_creds_copy(&c->creds, creds);
	c->have_creds = true;
	c->creds_fixed = true;
	c->creds_gen++;
}

int aws_client_renew_expired(struct aws_client *c, const struct aws_xfer *x, struct aws_error *err)
{
	const struct aws_creds *used = x->req->creds ? x->req->creds : &c->creds;
	const char *source = used->source ? used->source : "?";
	struct aws_creds fresh;
	struct aws_error e2;
	struct buf b = BUF_INIT;
	char msg[1200];
	int rc = -1;

	if (!x->req->creds && c->creds_gen != x->creds_gen)
		return 0; /* renewed since this attempt was signed: send it again */
	if (strcmp(source, "environment") == 0)
		source = "the environment (AWS_SESSION_TOKEN)";
	memset(&fresh, 0, sizeof(fresh));
	if (x->req->creds || c->creds_fixed || used->fixed) {
		buf_printf(&b,
		           "the session token has expired (credentials from %s, which ebctl "
		           "cannot refresh: get new ones): %s",
		           source, err->message);
		goto out;
	}
	debugf("%s: the session token of the credentials from %s expired: getting new ones",
	       x->req->step, source);
	if (aws_creds_resolve(c, &fresh, &e2) != 0) {
		buf_printf(&b,
		           "the session token has expired (credentials from %s) and new ones could "
		           "not be had: %s",
		           source, aws_error_format(&e2, msg, sizeof(msg)));
		goto out;
	}
	take_creds(c, &fresh);
	rc = 0;
out:
	if (rc != 0)
		snprintf(err->message, sizeof(err->message), "%s", buf_cstr(&b));
	buf_free(&b);
	return rc;
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
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
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
		if (got <= 0)
			return CURL_READFUNC_ABORT;
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
			if (aws_client_credentials(c, &creds, err) != 0)
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
		sp.flags = req->sign_flags | SIGV4_AUTH_ONLY;
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
	if (eb_debug) {
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
			err->interrupted = true;
			snprintf(err->code, sizeof(err->code), "Interrupted");
			snprintf(err->message, sizeof(err->message), "interrupted");
			return AWS_DONE_FAIL;
		}
		if (x->sink_errno) {
			snprintf(err->code, sizeof(err->code), "IOError");
			snprintf(err->message, sizeof(err->message),
			         "cannot write the download: %s", strerror(x->sink_errno));
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
		for (i = 0; i < EB_ARRAY_LEN(generic); i++)
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

int aws_send(struct aws_client *c, struct aws_request *req, struct aws_response *resp,
             struct aws_error *err)
{
	struct aws_xfer x;
	int max = req->max_attempts > 0 ? req->max_attempts : c->max_attempts;
	int tries = 0, requests = 0, held = 0;
	bool skew_fixed = false, renewed = false;

	for (;;) {
		enum aws_verdict v;
		CURLcode rc;

		if (aws_client_interrupted(c)) {
			aws_error_set(err, req->step, "Interrupted", "interrupted");
			err->interrupted = true;
			return -1;
		}
		if (aws_xfer_setup(c, c->easy, req, resp, &x, err) != 0)
			return -1;
		tries++;
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
		v = aws_xfer_finish(&x, rc, err);
		err->attempts = requests;
		if (v == AWS_DONE_OK) {
			aws_retry_quota_release(c, held);
			return 0;
		}
		if (v == AWS_DONE_SKEW && !skew_fixed) {
			int64_t skew =
			    aws_skew_from_date(aws_response_header(resp, "Date"), time_now());
			skew_fixed = true;
			if (skew != 0) {
				debugf("clock skew of %lld s against the server: correcting and "
				       "retrying",
				       (long long)skew);
				c->skew = skew;
				tries--; /* the corrected retry does not use up an attempt */
				continue;
			}
		}
		if (v == AWS_DONE_EXPIRED) {
			if (renewed) {
				size_t l = strlen(err->message);
				snprintf(err->message + l, sizeof(err->message) - l,
				         " (even with new credentials from %s)",
				         c->creds.source ? c->creds.source : "?");
				return -1;
			}
			if (aws_client_renew_expired(c, &x, err) != 0)
				return -1;
			renewed = true;
			tries--; /* as after a skew: the renewed attempt is not counted */
			continue;
		}
		if (v != AWS_DONE_RETRY || tries >= max)
			return -1;
		if (!aws_retry_quota_acquire(c, err, &held)) {
			debugf("%s: retry quota exhausted, not retrying", req->step);
			return -1;
		}
		debugf("%s: %s %s (attempt %d of %d)", req->step, err->code, err->message, tries,
		       max);
		switch (aws_backoff_sleep(c, tries)) {
		case 0: break;
		case 1: {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l,
			         " (not retried: the command's time, --timeout, is up before the "
			         "retry)");
			/* the error is still the server's: exit 3, not a time-out */
			return -1;
		}
		default:
			aws_error_set(err, req->step, "Interrupted", "interrupted");
			err->interrupted = true;
			return -1;
		}
	}
}

/* ---- protocols ---- */

static const char *query_version(const char *service)
{
	if (strcmp(service, "elasticbeanstalk") == 0)
		return "2010-12-01";
	if (strcmp(service, "sts") == 0)
		return "2011-06-15";
	if (strcmp(service, "iam") == 0)
		return "2010-05-08";
	if (strcmp(service, "ec2") == 0)
		return "2016-11-15";
	if (strcmp(service, "rds") == 0)
		return "2014-10-31";
	if (strcmp(service, "elasticache") == 0)
		return "2015-02-02";
	return NULL;
}

/*
 * application/x-www-form-urlencoded writes a space as '+'. botocore sends
 * bodies that way and servers that re-encode the parsed form to check the
 * signature (moto) only agree with that form; AWS hashes the bytes as sent,
 * so both are right there. Every other byte stays strictly RFC 3986
 * encoded, and a literal '+' was encoded as %2B, so the swap is exact.
 */
static void form_spaces_as_plus(struct buf *b)
{
	size_t r, w = 0;
	for (r = 0; r < b->len; r++) {
		if (b->ptr[r] == '%' && r + 2 < b->len && b->ptr[r + 1] == '2' &&
		    b->ptr[r + 2] == '0') {
			b->ptr[w++] = '+';
			r += 2;
		} else {
			b->ptr[w++] = b->ptr[r];
		}
	}
	b->len = w;
	if (b->ptr)
		b->ptr[w] = '\0';
}

int aws_query_ex(struct aws_client *c, const char *service, const char *action,
                 const struct aws_params *params, enum aws_idempotency idem,
                 const struct aws_creds *creds, bool unsigned_request, xmlDocPtr *doc,
                 struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct buf body = BUF_INIT;
	const char **keys = NULL, **vals = NULL;
	const char *version = query_version(service);
	char step[96];
	size_t i, n = (params ? params->n : 0) + 2;
	int rc = -1;

	*doc = NULL;
	memset(&resp, 0, sizeof(resp));
	snprintf(step, sizeof(step), "%s %s", service, action);
	aws_request_init(&req, "POST", service, step);
	if (!version) {
		aws_error_set(err, step, "UnknownService", "no Query API version for '%s'",
		              service);
		goto out;
	}
	if (aws_endpoint_resolve(service, c->region, &req.ep, err) != 0)
		goto out;
	keys = xcalloc(n, sizeof(*keys));
	vals = xcalloc(n, sizeof(*vals));
	keys[0] = "Action";
	vals[0] = action;
	keys[1] = "Version";
	vals[1] = version;
	for (i = 2; i < n; i++) {
		keys[i] = params->v[i - 2].key;
		vals[i] = params->v[i - 2].value;
		/* AWS decodes the form as UTF-8: other bytes fail as a bad signature. */
		if (str_utf8_len(vals[i], 0, NULL) < 0) {
			aws_error_set(err, step, "InvalidParameterValue",
			              "the value of '%s' is not valid UTF-8", keys[i]);
			goto out;
		}
	}
	sigv4_form_encode(&body, keys, vals, n);
	form_spaces_as_plus(&body);
	req.path = xstrdup("/");
	req.body_kind = AWS_BODY_MEM;
	req.body = body.ptr;
	req.body_len = body.len;
	req.idem = idem;
	req.creds = creds;
	req.unsigned_request = unsigned_request;
	aws_request_header(&req, "Content-Type",
	                   "application/x-www-form-urlencoded; charset=utf-8");
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	*doc = aws_xml_parse(resp.body.ptr, resp.body.len);
	if (!*doc) {
		aws_error_set(err, step, "InvalidResponse", "the response is not valid XML");
		goto out;
	}
	rc = 0;
out:
	free(keys);
	free(vals);
	buf_free_secret(&body);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int aws_query(struct aws_client *c, const char *service, const char *action,
              const struct aws_params *params, enum aws_idempotency idem, xmlDocPtr *doc,
              struct aws_error *err)
{
	aws_error_clear(err);
	return aws_query_ex(c, service, action, params, idem, NULL, false, doc, err);
}

int aws_json(struct aws_client *c, const char *service, const char *target, json_t *body,
             json_t **out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	char *text = NULL;
	char step[96];
	const char *dot = strchr(target, '.');
	json_error_t jerr;
	int rc = -1;

	aws_error_clear(err);
	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	snprintf(step, sizeof(step), "%s %s", service, dot ? dot + 1 : target);
	aws_request_init(&req, "POST", service, step);
	if (aws_endpoint_resolve(service, c->region, &req.ep, err) != 0)
		goto out;
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !text)
		die("out of memory");
	if (!text)
		text = xstrdup("{}");
	req.path = xstrdup("/");
	req.body_kind = AWS_BODY_MEM;
	req.body = text;
	req.body_len = strlen(text);
	aws_request_header(&req, "Content-Type", "application/x-amz-json-1.1");
	aws_request_header(&req, "X-Amz-Target", target);
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	*out = json_loadb(resp.body.ptr ? resp.body.ptr : "{}", resp.body.ptr ? resp.body.len : 2,
	                  0, &jerr);
	if (!*out) {
		aws_error_set(err, step, "InvalidResponse", "the response is not valid JSON: %s",
		              jerr.text);
		goto out;
	}
	rc = 0;
out:
	free(text);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

static int fetch(struct aws_client *c, const char *url, FILE *sink, struct buf *out, size_t max,
                 struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	aws_request_init(&req, "GET", "s3", "download");
	if (!str_starts_with(url, "https://") && !str_starts_with(url, "http://")) {
		aws_error_set(err, "download", "InvalidURL", "not an http(s) URL");
		goto out;
	}
	req.raw_url = xstrdup(url);
	req.unsigned_request = true;
	req.sink = sink;
	req.max_body = max;
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	if (out) {
		buf_add(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	}
	rc = 0;
out:
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int aws_fetch_url(struct aws_client *c, const char *url, struct buf *out, size_t max,
                  struct aws_error *err)
{
	return fetch(c, url, NULL, out, max, err);
}

int aws_fetch_url_to_file(struct aws_client *c, const char *url, const char *path,
                          struct aws_error *err)
{
	return aws_fetch_url_to_file_max(c, url, path, 0, err);
}

int aws_fetch_url_to_file_max(struct aws_client *c, const char *url, const char *path, uint64_t max,
                              struct aws_error *err)
{
	/* Never through a link planted where the file goes (a shared directory). */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc;
	if (!f) {
		aws_error_set(err, "download", "IOError", "cannot create '%s': %s", path,
		              strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = fetch(c, url, f, NULL, (size_t)(max < SIZE_MAX ? max : SIZE_MAX), err);
	if (fclose(f) != 0 && rc == 0) {
		aws_error_set(err, "download", "IOError", "cannot write '%s': %s", path,
		              strerror(errno));
		rc = -1;
	}
	/* No partial file is left behind. */
	if (rc != 0)
		unlink(path);
	return rc;
}
