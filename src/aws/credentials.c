/*
 * The credential chain of the AWS SDKs, in their order:
 *   1. environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 *      skipped when --profile is given;
 *   2. the profile (--profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default") in
 *      the shared credentials and config files: role_arn with source_profile,
 *      credential_source or web_identity_token_file (STS); IAM Identity
 *      Center (creds_sso.c); static keys; credential_process. A profile
 *      that exists but holds none of these (a region-only [default]) is
 *      passed over, as botocore does; one named explicitly that does not
 *      exist is an error;
 *   3. web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE);
 *   4. ECS container credentials;
 *   5. EC2 instance metadata (IMDSv2).
 * With --role-arn (EBCTL_ROLE_ARN): in GitHub Actions the job's OIDC token is
 * exchanged with AssumeRoleWithWebIdentity; elsewhere the chain's
 * credentials assume the role.
 * The files are read in creds_ini.c, a profile's sources in creds_profile.c,
 * the metadata endpoints in creds_metadata.c. Secrets are wiped when freed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "creds.h"

/* ---- GitHub Actions OIDC ---- */

static int from_github_oidc(struct aws_client *c, const char *url, const char *bearer,
                            struct aws_creds *out, struct aws_error *err)
{
	struct buf body = BUF_INIT, auth = BUF_INIT;
	char *full = xasprintf("%s%caudience=sts.amazonaws.com", url, strchr(url, '?') ? '&' : '?');
	char session[64];
	const char *run = getenv("GITHUB_RUN_ID");
	json_t *j = NULL;
	const char *token;
	int rc = -1;

	buf_printf(&auth, "bearer %s", bearer);
	if (creds_metadata_call(c, "GET", full, "Authorization", buf_cstr(&auth),
	                        "credentials (GitHub OIDC)", 5000, 3, &body, err) != 0)
		goto out;
	j = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL);
	token = json_string_value(json_object_get(j, "value"));
	if (!token || !*token) {
		aws_error_set(err, "credentials (GitHub OIDC)", "InvalidResponse",
		              "the GitHub OIDC token response has no value");
		goto out;
	}
	snprintf(session, sizeof(session), "ebctl-github-%.40s", run && *run ? run : "run");
	for (char *s = session; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@-_",
		            *s))
			*s = '-';
	rc = creds_web_identity(c, c->role_arn, token, session, "GitHub Actions OIDC", out, err);
out:
	if (json_is_object(j) && json_is_string(json_object_get(j, "value")))
		OPENSSL_cleanse((void *)json_string_value(json_object_get(j, "value")),
		                json_string_length(json_object_get(j, "value")));
	json_decref(j);
	free(full);
	buf_free_secret(&body);
	buf_free_secret(&auth);
	return rc;
}

/* ---- the chain ---- */

/* Adds "; " before each note but the first: what each source said. */
static void tried(struct buf *why, const char *note)
{
	buf_printf(why, "%s%s", why->len ? "; " : "", note);
}

static int chain(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *role = getenv("AWS_ROLE_ARN");
	const char *wit = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	struct buf why = BUF_INIT, prof = BUF_INIT;
	int r, rc = -1;

	if (!c->profile_explicit) {
		r = creds_from_env(out, err);
		if (r != 0)
			goto done;
		tried(&why, "environment: not set");
	}
	r = creds_from_profile(c, out, &prof, err);
	if (r != 0)
		goto done;
	tried(&why, buf_cstr(&prof));
	if (role && *role && wit && *wit) {
		rc = creds_web_identity_file(c, role, wit, getenv("AWS_ROLE_SESSION_NAME"),
		                             "web identity", out, err);
		goto out;
	}
	tried(&why, "web identity: not set");
	r = creds_from_container(c, out, err);
	if (r != 0)
		goto done;
	tried(&why, "container: not set");
	r = creds_from_imds(c, out, err);
	if (r != 0)
		goto done;
	tried(&why, dis && strcasecmp(dis, "true") == 0
	                ? "instance metadata: AWS_EC2_METADATA_DISABLED"
	                : "instance metadata: no answer");
	aws_error_set(err, "credentials", "NoCredentials",
	              "no credentials found (%s): set AWS_ACCESS_KEY_ID and "
	              "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or --role-arn in GitHub Actions",
	              buf_cstr(&why));
	goto out;
done:
	rc = r > 0 ? 0 : -1;
out:
	buf_cleanup(&why);
	buf_cleanup(&prof);
	return rc;
}

int aws_creds_resolve(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *url = getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	const char *bearer = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	struct aws_creds base;
	char source[300];
	int rc;

	aws_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (!c->role_arn)
		return chain(c, out, err);
	if (url && *url) {
		if (!bearer || !*bearer) {
			aws_error_set(err, "credentials (GitHub OIDC)", "NoToken",
			              "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: give the job "
			              "'permissions: id-token: write'");
			return -1;
		}
		return from_github_oidc(c, url, bearer, out, err);
	}
	memset(&base, 0, sizeof(base));
	if (chain(c, &base, err) != 0)
		return -1;
	snprintf(source, sizeof(source), "role '%s'", c->role_arn);
	rc = creds_assume_role(c, &base, c->role_arn, NULL, NULL, NULL, source, out, err);
	aws_creds_cleanup(&base);
	return rc;
}
