/*
 * A profile's credentials, as botocore resolves them: role_arn with
 * source_profile or credential_source (STS AssumeRole), web_identity_token_file,
 * IAM Identity Center (creds_sso.c), static keys, credential_process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>

#include <openssl/crypto.h>

#include "creds.h"

/* ---- credential_process ---- */

int creds_from_process(const char *cmd, const char *profile, struct aws_creds *out,
                       struct aws_error *err)
{
	struct buf b;
	char chunk[4096], source[160];
	FILE *p;
	size_t n;
	int status, rc = -1;

	snprintf(source, sizeof(source), "credential_process of profile '%s'", profile);
	buf_init(&b, 1 << 16);
	fflush(NULL);
	p = popen(cmd, "r");
	if (!p) {
		aws_error_set(err, "credentials", "ProcessError", "%s: cannot run it: %s", source,
		              strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (buf_add(&b, chunk, n) != 0)
			break;
	OPENSSL_cleanse(chunk, sizeof(chunk));
	status = pclose(p);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		aws_error_set(err, "credentials", "ProcessError",
		              "%s: the command failed (status %d)", source,
		              status == -1        ? -1
		              : WIFEXITED(status) ? WEXITSTATUS(status)
		                                  : 128 + WTERMSIG(status));
		goto out;
	}
	if (!b.ptr) {
		aws_error_set(err, "credentials", "ProcessError",
		              "%s: no output, or more than 64 KiB", source);
		goto out;
	}
	rc = aws_creds_from_json(b.ptr, b.len, source, out, err);
out:
	buf_free_secret(&b);
	return rc;
}

/* ---- profiles ---- */

static int profile_creds(struct aws_client *c, struct profiles *p, const char *name, int depth,
                         struct aws_creds *out, struct aws_error *err);

static int credential_source(struct aws_client *c, const char *profile, const char *src,
                             struct aws_creds *out, struct aws_error *err)
{
	int r;
	if (strcmp(src, "Environment") == 0)
		r = creds_from_env(out, err);
	else if (strcmp(src, "EcsContainer") == 0)
		r = creds_from_container(c, out, err);
	else if (strcmp(src, "Ec2InstanceMetadata") == 0)
		r = creds_from_imds(c, out, err);
	else {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s': unknown credential_source '%s'", profile, src);
		return -1;
	}
	if (r == 0)
		aws_error_set(err, "credentials", "NoCredentials",
		              "profile '%s': credential_source %s has no credentials", profile,
		              src);
	return r == 1 ? 0 : -1;
}

static int profile_role(struct aws_client *c, struct profiles *p, const char *name, int depth,
                        const char *role_arn, struct aws_creds *out, struct aws_error *err)
{
	const char *src_prof = creds_profile_get(p, name, "source_profile");
	const char *cred_src = creds_profile_get(p, name, "credential_source");
	const char *wit = creds_profile_get(p, name, "web_identity_token_file");
	const char *session = creds_profile_get(p, name, "role_session_name");
	char source[300];
	struct aws_creds base;
	int rc;

	memset(&base, 0, sizeof(base));
	snprintf(source, sizeof(source), "role '%s' (profile '%s')", role_arn, name);
	if (wit)
		return creds_web_identity_file(c, role_arn, wit, session, source, out, err);
	if (src_prof && cred_src) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' has both source_profile and credential_source", name);
		return -1;
	}
	if (src_prof) {
		if (strcmp(src_prof, name) == 0) {
			/* a profile that is its own source uses its static keys */
			const char *akid = creds_profile_get(p, name, "aws_access_key_id");
			const char *sec = creds_profile_get(p, name, "aws_secret_access_key");
			if (!akid || !sec) {
				aws_error_set(
				    err, "credentials", "ConfigError",
				    "profile '%s' is its own source_profile but has no keys", name);
				return -1;
			}
			aws_creds_set(&base, akid, sec,
			              creds_profile_get(p, name, "aws_session_token"), 0, name);
		} else if (!creds_profile_exists(p, src_prof)) {
			aws_error_set(err, "credentials", "ProfileNotFound",
			              "source_profile '%s' of profile '%s' not found in %s",
			              src_prof, name, p->conf.shown);
			return -1;
		} else if (profile_creds(c, p, src_prof, depth + 1, &base, err) != 0) {
			return -1;
		}
	} else if (cred_src) {
		if (credential_source(c, name, cred_src, &base, err) != 0)
			return -1;
	} else {
		aws_error_set(
		    err, "credentials", "ConfigError",
		    "profile '%s' has role_arn but no source_profile, credential_source or "
		    "web_identity_token_file",
		    name);
		return -1;
	}
	rc = creds_assume_role(c, &base, role_arn, session,
	                       creds_profile_get(p, name, "external_id"),
	                       creds_profile_get(p, name, "duration_seconds"), source, out, err);
	aws_creds_cleanup(&base);
	return rc;
}

/*
 * A profile's IAM Identity Center settings, as botocore's SSOProvider reads
 * them: it is one when it has sso_account_id or sso_role_name; with
 * sso_session, sso_start_url and sso_region come from [sso-session NAME]
 * (the profile may repeat them, but not differ); without, from the profile
 * (the legacy form). 0 filled, 1 not an SSO profile, -1 broken.
 */
static int sso_config(const struct profiles *p, const char *name, struct aws_sso_config *sc,
                      struct aws_error *err)
{
	static const char *const shared[] = {"sso_start_url", "sso_region"};
	const struct ini_section *ss = NULL;
	const char *v[EBCTL_ARRAY_LEN(shared)];
	struct buf missing = BUF_INIT;
	char *secname;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->profile = name;
	sc->session = creds_profile_get(p, name, "sso_session");
	sc->account_id = creds_profile_get(p, name, "sso_account_id");
	sc->role_name = creds_profile_get(p, name, "sso_role_name");
	if (!sc->account_id && !sc->role_name) {
		if (!sc->session && !creds_profile_get(p, name, "sso_start_url"))
			return 1;
		/* falling through to instance metadata would deploy as another
		 * identity than the one the profile names */
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' uses IAM Identity Center (%s) but has no "
		              "sso_account_id and sso_role_name",
		              name, sc->session ? "sso_session" : "sso_start_url");
		return -1;
	}
	if (sc->session) {
		secname = xasprintf("\x01sso-session %s", sc->session);
		ss = creds_ini_find(&p->conf, secname);
		free(secname);
		if (!ss) {
			aws_error_set(
			    err, "credentials", "ConfigError",
			    "profile '%s': sso_session '%s' has no [sso-session %s] in %s", name,
			    sc->session, sc->session, p->conf.shown);
			return -1;
		}
	}
	for (i = 0; i < EBCTL_ARRAY_LEN(shared); i++) {
		const char *mine = creds_profile_get(p, name, shared[i]);
		v[i] = ss ? creds_ini_get(ss, shared[i]) : mine;
		if (ss && mine && v[i] && strcmp(mine, v[i]) != 0) {
			aws_error_set(err, "credentials", "ConfigError",
			              "profile '%s': %s is '%s', but '%s' in [sso-session %s]",
			              name, shared[i], mine, v[i], sc->session);
			return -1;
		}
		if (!v[i])
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", shared[i]);
	}
	sc->start_url = v[0];
	sc->region = v[1];
	if (!sc->account_id)
		buf_printf(&missing, "%s%s", missing.len ? ", " : "", "sso_account_id");
	if (!sc->role_name)
		buf_printf(&missing, "%s%s", missing.len ? ", " : "", "sso_role_name");
	if (missing.len) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' uses IAM Identity Center but has no %s%s", name,
		              buf_cstr(&missing), ss ? " (with its sso-session)" : "");
		buf_cleanup(&missing);
		return -1;
	}
	return 0;
}

/* 0 found, -1 broken, 1 the profile holds no credentials (err says so) */
static int profile_creds(struct aws_client *c, struct profiles *p, const char *name, int depth,
                         struct aws_creds *out, struct aws_error *err)
{
	const char *role_arn, *akid, *sec, *proc;
	struct aws_sso_config sc;
	char source[160];
	int r;

	if (depth > 5) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s': source_profile chain too long (a loop?)", name);
		return -1;
	}
	snprintf(source, sizeof(source), "profile '%s'", name);
	role_arn = creds_profile_get(p, name, "role_arn");
	/* the profile we start from assumes its role; a source profile uses
	 * its own keys when it has them (the SDKs' rule) */
	akid = creds_profile_get(p, name, "aws_access_key_id");
	sec = creds_profile_get(p, name, "aws_secret_access_key");
	if (role_arn && !(depth > 0 && akid && sec))
		return profile_role(c, p, name, depth, role_arn, out, err);
	/* IAM Identity Center before keys, as botocore's provider order has it */
	r = sso_config(p, name, &sc, err);
	if (r <= 0)
		return r < 0 ? -1 : aws_sso_credentials(c, &sc, out, err);
	if (akid || sec) {
		if (!akid || !sec) {
			aws_error_set(err, "credentials", "IncompleteCredentials",
			              "profile '%s' has %s but not %s", name,
			              akid ? "aws_access_key_id" : "aws_secret_access_key",
			              akid ? "aws_secret_access_key" : "aws_access_key_id");
			return -1;
		}
		aws_creds_set(out, akid, sec, creds_profile_get(p, name, "aws_session_token"), 0,
		              source);
		out->fixed = true;
		return 0;
	}
	proc = creds_profile_get(p, name, "credential_process");
	if (proc)
		return creds_from_process(proc, name, out, err);
	aws_error_set(
	    err, "credentials", "NoCredentials",
	    "profile '%s' has no credentials (aws_access_key_id, role_arn or credential_process)",
	    name);
	return 1;
}

/*
 * 1 found; 0 nothing there (an implicit default profile that does not
 * exist, or any profile that exists but holds no credentials, as the
 * region-only [default] that `aws configure set region` writes on EC2,
 * ECS and CodeBuild): the chain goes on, as botocore's does, and *why says
 * what was found; -1 broken, including an explicitly named profile that
 * does not exist.
 */
int creds_from_profile(struct aws_client *c, struct aws_creds *out, struct buf *why,
                       struct aws_error *err)
{
	struct profiles p;
	const char *name = c->profile ? c->profile : "default";
	int rc = -1, r;

	memset(&p, 0, sizeof(p));
	if (creds_ini_load(&p.cred, false, err) != 0 || creds_ini_load(&p.conf, true, err) != 0)
		goto out;
	if (!creds_profile_exists(&p, name)) {
		if (!c->profile) {
			buf_printf(why, "profile '%s': not in %s or %s", name, p.cred.shown,
			           p.conf.shown);
			rc = 0;
			goto out;
		}
		aws_error_set(err, "credentials", "ProfileNotFound", "profile '%s' not found in %s",
		              name, p.conf.shown);
		if (p.cred.exists || !p.conf.exists) {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l, " or %s",
			         p.cred.shown);
		}
		if (c->profile_from) {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l,
			         " (the profile %s names; --profile or AWS_PROFILE overrides it)",
			         c->profile_from);
		}
		goto out;
	}
	r = profile_creds(c, &p, name, 0, out, err);
	if (r == 1) {
		buf_printf(why,
		           "profile '%s': no aws_access_key_id, role_arn or credential_process",
		           name);
		aws_error_clear(err);
		rc = 0;
		goto out;
	}
	rc = r == 0 ? 1 : -1;
out:
	creds_profiles_cleanup(&p);
	return rc;
}
