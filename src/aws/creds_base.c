/*
 * What every credential source builds on: a set of credentials from keys
 * or from the JSON that credential_process and the metadata endpoints
 * write, the environment's keys, and the STS steps (AssumeRole,
 * AssumeRoleWithWebIdentity from a token or a token file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "creds.h"
#include "ebctl/sts.h"

/* ---- helpers ---- */

void aws_creds_set(struct aws_creds *out, const char *akid, const char *secret, const char *token,
                   int64_t expires, const char *source)
{
	memset(out, 0, sizeof(*out));
	out->access_key_id = xstrdup(akid);
	out->secret_access_key = xstrdup(secret);
	out->session_token = token && *token ? xstrdup(token) : NULL;
	out->expires = expires;
	out->source = xstrdup(source);
}

void aws_json_wipe(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		OPENSSL_cleanse((void *)json_string_value(j), json_string_length(j));
	else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			aws_json_wipe(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			aws_json_wipe(v);
		}
	}
}

int aws_creds_from_json(const char *json, size_t len, const char *source, struct aws_creds *out,
                        struct aws_error *err)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	json_t *ver;
	const char *akid, *secret, *token, *exp;
	int64_t expires = 0;
	int rc = -1;

	if (!json_is_object(j)) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: the output is not a JSON object", source);
		goto out;
	}
	ver = json_object_get(j, "Version");
	if (ver && json_integer_value(ver) != 1) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: unsupported Version (only 1 is known)", source);
		goto out;
	}
	akid = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	token = json_string_value(json_object_get(j, "SessionToken"));
	if (!token)
		token = json_string_value(json_object_get(j, "Token"));
	exp = json_string_value(json_object_get(j, "Expiration"));
	if (!akid || !*akid || !secret || !*secret) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: AccessKeyId or SecretAccessKey missing", source);
		goto out;
	}
	if (exp && *exp) {
		expires = time_parse_iso8601(exp);
		if (expires < 0) {
			aws_error_set(err, "credentials", "InvalidCredentials",
			              "%s: invalid Expiration '%s'", source, exp);
			goto out;
		}
	}
	aws_creds_set(out, akid, secret, token, expires, source);
	rc = 0;
out:
	aws_json_wipe(j);
	json_decref(j);
	return rc;
}

/* ---- environment ---- */

/* 1 found, 0 not set, -1 broken */
int creds_from_env(struct aws_creds *out, struct aws_error *err)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	bool has_akid = akid && *akid, has_secret = secret && *secret;

	if (!has_akid && !has_secret)
		return 0;
	if (!has_akid || !has_secret) {
		aws_error_set(err, "credentials", "IncompleteCredentials",
		              "environment: %s is set but %s is not",
		              has_akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		              has_akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	if (!token || !*token)
		token = getenv("AWS_SECURITY_TOKEN");
	aws_creds_set(out, akid, secret, token, 0, "environment");
	out->fixed = true;
	return 1;
}

/* ---- STS ---- */

int creds_assume_role(struct aws_client *c, const struct aws_creds *base, const char *role_arn,
                      const char *session, const char *external_id, const char *duration,
                      const char *source, struct aws_creds *out, struct aws_error *err)
{
	struct sts_assume_options o = {session, 0, external_id};
	unsigned long d;
	if (duration) {
		if (parse_ulong(duration, 900, 43200, &d) != 0) {
			aws_error_set(err, "credentials", "ConfigError",
			              "%s: duration_seconds '%s' is not 900 to 43200", source,
			              duration);
			return -1;
		}
		o.duration_seconds = (int)d;
	}
	return sts_assume(c, "AssumeRole", role_arn, NULL, &o, base, source, out, err);
}

int creds_web_identity(struct aws_client *c, const char *role_arn, const char *token,
                       const char *session, const char *source, struct aws_creds *out,
                       struct aws_error *err)
{
	struct sts_assume_options o = {session, 0, NULL};
	return sts_assume(c, "AssumeRoleWithWebIdentity", role_arn, token, &o, NULL, source, out,
	                  err);
}

int creds_web_identity_file(struct aws_client *c, const char *role_arn, const char *path,
                            const char *session, const char *source, struct aws_creds *out,
                            struct aws_error *err)
{
	struct buf tok = BUF_INIT;
	int rc;
	if (buf_read_file(&tok, path, 1 << 16) != 0) {
		aws_error_set(err, "credentials", "InvalidIdentityToken",
		              "%s: cannot read the token file '%s': %s", source, path,
		              strerror(errno));
		buf_free_secret(&tok);
		return -1;
	}
	while (tok.len > 0 && strchr(" \r\n\t", tok.ptr[tok.len - 1]))
		tok.ptr[--tok.len] = '\0';
	rc = creds_web_identity(c, role_arn, buf_cstr(&tok), session, source, out, err);
	buf_free_secret(&tok);
	return rc;
}
