/*
 * IAM Identity Center (SSO) credentials, read as the AWS SDKs read them:
 *   - the access token that `aws sso login` leaves in
 *     ~/.aws/sso/cache/<sha1 of the sso_session name, or of the start URL
 *     for the legacy form>.json (botocore's SSOTokenLoader);
 *   - a token of an sso-session within 15 minutes of its expiry is renewed
 *     with its refresh token through SSO OIDC CreateToken, and the file
 *     written back as botocore's SSOTokenProvider writes it (mode 0600);
 *   - the portal's GetRoleCredentials turns it into the role's
 *     credentials, which are kept in ~/.aws/cli/cache/<key>.json under the
 *     key botocore's SSOCredentialFetcher computes, so ebctl and the aws CLI
 *     share them, until 15 minutes before they expire.
 * No browser flow is ever started: when nothing valid is left, the error
 * says to run `aws sso login --profile NAME`. Tokens and keys are wiped
 * when freed and never logged (http.c redacts x-amz-sso_bearer_token).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "internal.h"
#include "ebctl/sigv4.h"

#define SSO_TOKEN_REFRESH_WINDOW 900 /* botocore's SSOTokenProvider._REFRESH_WINDOW */
#define SSO_ROLE_CACHE_WINDOW    900 /* CachedCredentialFetcher's expiry window */
#define SSO_MAX_FILE             (1 << 20)

static void sha1_hex(const char *s, char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL) != 1 || n != 20)
		die("SHA-1 is not available in libcrypto");
	hex_encode(md, 20, out);
}

void aws_sso_token_cache_key(const struct aws_sso_config *sc, char out[41])
{
	sha1_hex(sc->session ? sc->session : sc->start_url, out);
}

void aws_sso_role_cache_key(const struct aws_sso_config *sc, char out[41])
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "accountId", sc->account_id, "roleName",
	                      sc->role_name, sc->session ? "sessionName" : "startUrl",
	                      sc->session ? sc->session : sc->start_url);
	char *s, *p;

	if (!j || !(s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)))
		die("out of memory");
	/* json.dumps writes \u00e9 where jansson writes \u00E9 */
	for (p = s; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == 'u')
			for (int i = 2; i < 6 && p[i]; i++)
				p[i] = (char)tolower((unsigned char)p[i]);
		if (p[1])
			p++;
	}
	sha1_hex(s, out);
	free(s);
	json_decref(j);
}

/* ~/.aws/<dir>/<key>.json; caller frees. */
static char *cache_path(const char *dir, const char *key)
{
	const char *home = getenv("HOME");
	return xasprintf("%s/.aws/%s/%s.json", home ? home : "", dir, key);
}

/* The file's JSON object, or NULL (missing, unreadable, not an object). */
static json_t *read_json(const char *path)
{
	struct buf b = BUF_INIT;
	json_t *j = NULL;
	if (buf_read_file(&b, path, SSO_MAX_FILE) == 0)
		j = json_loadb(b.ptr ? b.ptr : "", b.len, 0, NULL);
	buf_free_secret(&b);
	if (j && !json_is_object(j)) {
		aws_json_wipe(j);
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Write j to path, mode 0600, wiping the text it was written from. */
static int write_json(const char *path, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(0) | JSON_PRESERVE_ORDER);
	int rc;
	if (!s)
		die("out of memory");
	/* cppcheck-suppress nullPointerRedundantCheck ; die() does not return */
	rc = fs_write_atomic(path, s, strlen(s), 0600);
	OPENSSL_cleanse(s, strlen(s));
	free(s);
	return rc;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && *v ? v : NULL;
}

/* What `aws sso login` should be run for, as the error of a session
 * that cannot give credentials any more. */
static int login_needed(const struct aws_sso_config *sc, const char *why, struct aws_error *err)
{
	aws_error_set(err, "credentials", "SSOLoginRequired",
	              "profile '%s': %s; sign in again with: aws sso login --profile %s",
	              sc->profile, why, sc->profile);
	return -1;
}

/* One unsigned call to the portal or SSO OIDC; the body of a 2xx answer in
 * *out (decref, wipe). */
static int sso_call(struct aws_client *c, const char *service, const struct aws_sso_config *sc,
                    const char *method, const char *path, char *query, const char *bearer,
                    const char *body, const char *step, json_t **out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	aws_request_init(&req, method, service, step);
	req.query = query;
	if (aws_endpoint_resolve(service, sc->region, &req.ep, err) != 0)
		goto out;
	req.path = xstrdup(path);
	req.unsigned_request = true;
	req.max_body = 1 << 16;
	if (bearer)
		aws_request_header(&req, "x-amz-sso_bearer_token", bearer);
	if (body) {
		req.body_kind = AWS_BODY_MEM;
		req.body = body;
		req.body_len = strlen(body);
		aws_request_header(&req, "Content-Type", "application/json");
		/* a refresh token used twice may be refused the second time */
		req.idem = AWS_NOT_IDEMPOTENT;
	}
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	*out = json_loadb(resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, NULL);
	if (!json_is_object(*out)) {
		aws_error_set(err, step, "InvalidResponse", "the response is not a JSON object");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && *out) {
		aws_json_wipe(*out);
		json_decref(*out);
		*out = NULL;
	}
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

/*
 * CreateToken with the refresh token of tok (the cache file's object);
 * on success tok becomes what botocore writes back, and is written to
 * path. 0 refreshed, -1 not (the reason is only worth a debug line: the
 * token in hand may still do).
 */
static int refresh_token(struct aws_client *c, const struct aws_sso_config *sc, const char *path,
                         json_t **tok)
{
	const char *refresh = jstr(*tok, "refreshToken"), *id = jstr(*tok, "clientId");
	const char *secret = jstr(*tok, "clientSecret"), *reg = jstr(*tok, "registrationExpiresAt");
	json_t *req = NULL, *resp = NULL, *nt = NULL;
	struct aws_error err;
	char *body = NULL, when[32], msg[1200];
	int64_t reg_exp, now = time_now();
	json_int_t expires_in;
	int rc = -1;

	if (!refresh || !id || !secret || !reg) {
		debugf("profile '%s': the SSO token has no refresh token or client registration",
		       sc->profile);
		return -1;
	}
	reg_exp = time_parse_iso8601(reg);
	if (reg_exp <= now) {
		debugf("profile '%s': the SSO client registration expired at %s", sc->profile, reg);
		return -1;
	}
	req = json_pack("{s:s, s:s, s:s, s:s}", "grantType", "refresh_token", "clientId", id,
	                "clientSecret", secret, "refreshToken", refresh);
	if (!req || !(body = json_dumps(req, JSON_COMPACT)))
		die("out of memory");
	if (sso_call(c, "sso-oauth", sc, "POST", "/token", NULL, NULL, body, "sso-oidc CreateToken",
	             &resp, &err) != 0) {
		debugf("profile '%s': cannot refresh the SSO token: %s", sc->profile,
		       aws_error_format(&err, msg, sizeof(msg)));
		goto out;
	}
	expires_in = json_integer_value(json_object_get(resp, "expiresIn"));
	if (!jstr(resp, "accessToken") || expires_in <= 0) {
		debugf("profile '%s': the CreateToken answer has no accessToken or expiresIn",
		       sc->profile);
		goto out;
	}
	time_format_iso8601(now + expires_in, when, sizeof(when));
	/* botocore's SSOTokenProvider._attempt_create_token, field for field */
	nt = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "startUrl", sc->start_url, "region",
	               sc->region, "accessToken", jstr(resp, "accessToken"), "expiresAt", when,
	               "clientId", id, "clientSecret", secret, "registrationExpiresAt", reg);
	if (!nt)
		die("out of memory");
	if (jstr(resp, "refreshToken"))
		json_object_set_new(nt, "refreshToken", json_string(jstr(resp, "refreshToken")));
	if (write_json(path, nt) != 0)
		debugf("profile '%s': cannot write the refreshed SSO token: %s", sc->profile,
		       strerror(errno));
	aws_json_wipe(*tok);
	json_decref(*tok);
	*tok = nt;
	nt = NULL;
	debugf("profile '%s': SSO token refreshed", sc->profile);
	rc = 0;
out:
	aws_json_wipe(req);
	aws_json_wipe(resp);
	json_decref(req);
	json_decref(resp);
	if (body) {
		OPENSSL_cleanse(body, strlen(body));
		free(body);
	}
	return rc;
}

/* The role credentials in the aws CLI's cache, when they have at least
 * the SDKs' 15 minutes left. 0 found, -1 not. */
static int cached_role(const char *path, const char *source, struct aws_creds *out)
{
	json_t *j = read_json(path), *cr = json_object_get(j, "Credentials");
	const char *exp = jstr(cr, "Expiration");
	int64_t t = exp ? time_parse_iso8601(exp) : -1;
	int rc = -1;

	if (t > time_now() + SSO_ROLE_CACHE_WINDOW && jstr(cr, "AccessKeyId") &&
	    jstr(cr, "SecretAccessKey")) {
		aws_creds_set(out, jstr(cr, "AccessKeyId"), jstr(cr, "SecretAccessKey"),
		              jstr(cr, "SessionToken"), t, source);
		rc = 0;
	}
	aws_json_wipe(j);
	json_decref(j);
	return rc;
}

/* mkdir -p ~/.aws/cli/cache, private: it holds credentials. */
static void make_cache_dir(void)
{
	const char *home = getenv("HOME");
	char *a = xasprintf("%s/.aws", home ? home : "");
	char *b = xasprintf("%s/cli", a), *d = xasprintf("%s/cache", b);
	(void)(mkdir(a, 0700) == 0 || errno == EEXIST);
	(void)(mkdir(b, 0700) == 0 || errno == EEXIST);
	(void)(mkdir(d, 0700) == 0 || errno == EEXIST);
	free(a);
	free(b);
	free(d);
}

/* Keep GetRoleCredentials' answer where the aws CLI keeps it (botocore's
 * SSOCredentialFetcher._get_credentials shape). */
static void cache_role(const char *path, const struct aws_sso_config *sc, json_t *rc_obj,
                       int64_t expires)
{
	char when[32];
	json_t *j;
	time_format_iso8601(expires, when, sizeof(when));
	j = json_pack("{s:s, s:{s:s, s:s, s:s*, s:s, s:s}}", "ProviderType", "sso", "Credentials",
	              "AccessKeyId", jstr(rc_obj, "accessKeyId"), "SecretAccessKey",
	              jstr(rc_obj, "secretAccessKey"), "SessionToken", jstr(rc_obj, "sessionToken"),
	              "Expiration", when, "AccountId", sc->account_id);
	if (!j)
		die("out of memory");
	make_cache_dir();
	if (write_json(path, j) != 0)
		debugf("profile '%s': cannot cache the role credentials in '%s': %s", sc->profile,
		       path, strerror(errno));
	aws_json_wipe(j);
	json_decref(j);
}

int aws_sso_credentials(struct aws_client *c, const struct aws_sso_config *sc,
                        struct aws_creds *out, struct aws_error *err)
{
	char key[41], source[200], why[1000];
	char *tok_path = NULL, *role_path = NULL;
	json_t *tok = NULL, *resp = NULL, *rc_obj;
	struct buf q = BUF_INIT;
	const char *access;
	int64_t exp, now = time_now();
	json_int_t ms;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(source, sizeof(source), "IAM Identity Center (profile '%s')", sc->profile);
	aws_sso_role_cache_key(sc, key);
	role_path = cache_path("cli/cache", key);
	if (cached_role(role_path, source, out) == 0) {
		debugf("profile '%s': role credentials from ~/.aws/cli/cache/%s.json", sc->profile,
		       key);
		rc = 0;
		goto out;
	}

	aws_sso_token_cache_key(sc, key);
	tok_path = cache_path("sso/cache", key);
	tok = read_json(tok_path);
	if (!tok || !jstr(tok, "accessToken") || !jstr(tok, "expiresAt")) {
		snprintf(why, sizeof(why), "no IAM Identity Center token for %s '%s' in %s",
		         sc->session ? "sso-session" : "start URL",
		         sc->session ? sc->session : sc->start_url, "~/.aws/sso/cache");
		rc = login_needed(sc, why, err);
		goto out;
	}
	exp = time_parse_iso8601(jstr(tok, "expiresAt"));
	/* only a session's token can be refreshed (botocore: the legacy form
	 * has no refresh token to use) */
	if (sc->session && exp - now < SSO_TOKEN_REFRESH_WINDOW &&
	    refresh_token(c, sc, tok_path, &tok) == 0)
		exp = time_parse_iso8601(jstr(tok, "expiresAt"));
	if (exp <= now) {
		snprintf(why, sizeof(why), "the IAM Identity Center token expired at %s",
		         jstr(tok, "expiresAt"));
		rc = login_needed(sc, why, err);
		goto out;
	}
	access = jstr(tok, "accessToken");

	buf_puts(&q, "account_id=");
	sigv4_uri_encode(&q, sc->account_id, strlen(sc->account_id), false);
	buf_puts(&q, "&role_name=");
	sigv4_uri_encode(&q, sc->role_name, strlen(sc->role_name), false);
	if (sso_call(c, "awsssoportal", sc, "GET", "/federation/credentials", buf_detach(&q, NULL),
	             access, NULL, "sso GetRoleCredentials", &resp, err) != 0) {
		if (err->http_status == 401 || strcmp(err->code, "UnauthorizedException") == 0) {
			snprintf(why, sizeof(why),
			         "the portal refused the IAM Identity Center token (%.300s)",
			         err->message);
			rc = login_needed(sc, why, err);
		}
		goto out;
	}
	rc_obj = json_object_get(resp, "roleCredentials");
	ms = json_integer_value(json_object_get(rc_obj, "expiration"));
	if (!jstr(rc_obj, "accessKeyId") || !jstr(rc_obj, "secretAccessKey") || ms <= 0) {
		aws_error_set(err, "sso GetRoleCredentials", "InvalidResponse",
		              "%s: the response has no roleCredentials", source);
		goto out;
	}
	aws_creds_set(out, jstr(rc_obj, "accessKeyId"), jstr(rc_obj, "secretAccessKey"),
	              jstr(rc_obj, "sessionToken"), (int64_t)(ms / 1000), source);
	cache_role(role_path, sc, rc_obj, out->expires);
	rc = 0;
out:
	aws_json_wipe(tok);
	aws_json_wipe(resp);
	json_decref(tok);
	json_decref(resp);
	buf_cleanup(&q);
	free(tok_path);
	free(role_path);
	return rc;
}
