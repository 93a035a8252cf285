/*
 * The AWS client: its settings (profile, role, attempts, timeouts, CA
 * bundle, from the options and the AWS_* variables), its libcurl handles,
 * and its credentials, resolved through the chain (credentials.c) on first
 * use, refreshed before they expire and renewed after an ExpiredToken. The
 * transport (http.c) reaches them through the client's creds_get and
 * creds_renew, so it needs nothing of the chain that sends through it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "internal.h"

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
	c->creds_get = aws_client_credentials;
	c->creds_renew = aws_client_renew_expired;
	c->interrupted = o->interrupted;
	c->pacer = o->pacer;
	c->sink = o->sink;
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
	d->creds_get = c->creds_get;
	d->creds_renew = c->creds_renew;
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
	d->pacer = c->pacer;
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
				sink_warn(
				    c->sink,
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
	buf_cleanup(&b);
	return rc;
}

unsigned long aws_client_backoff_ms(const struct aws_client *c, int attempt)
{
	return aws_backoff_ms(c->retry_base_ms, attempt, aws_jitter());
}
