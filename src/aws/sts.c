/* AWS STS (Query protocol): caller identity and role credentials. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"
#include "ebctl/sts.h"

void sts_identity_cleanup(struct sts_identity *id)
{
	if (!id)
		return;
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

int sts_get_caller_identity(struct aws_client *c, struct sts_identity *out, struct aws_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr r;
	memset(out, 0, sizeof(*out));
	if (aws_query(c, "sts", "GetCallerIdentity", NULL, AWS_IDEMPOTENT, &doc, err) != 0)
		return -1;
	r = aws_xml_result(doc, "GetCallerIdentity");
	out->account = aws_xml_text(r, "Account");
	out->arn = aws_xml_text(r, "Arn");
	out->user_id = aws_xml_text(r, "UserId");
	xmlFreeDoc(doc);
	if (!out->account || !out->arn) {
		sts_identity_cleanup(out);
		aws_error_set(err, "sts GetCallerIdentity", "InvalidResponse",
		              "the response has no Account or Arn");
		return -1;
	}
	return 0;
}

static void wipe_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static int sts_creds_from_doc(xmlDocPtr doc, const char *action, const char *source,
                              struct aws_creds *out, struct aws_error *err)
{
	xmlNodePtr cr = aws_xml_child(aws_xml_result(doc, action), "Credentials");
	char *akid = aws_xml_text(cr, "AccessKeyId");
	char *secret = aws_xml_text(cr, "SecretAccessKey");
	char *token = aws_xml_text(cr, "SessionToken");
	char *exp = aws_xml_text(cr, "Expiration");
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!akid || !*akid || !secret || !*secret || !token || !*token) {
		aws_error_set(err, "sts", "InvalidResponse",
		              "%s: the %s response has no credentials", source, action);
		goto out;
	}
	out->access_key_id = akid;
	out->secret_access_key = secret;
	out->session_token = token;
	akid = secret = token = NULL;
	out->expires = exp ? time_parse_iso8601(exp) : 0;
	if (out->expires < 0)
		out->expires = 0;
	out->source = xstrdup(source);
	rc = 0;
out:
	/* every text node of the response held a secret: wipe the tree's copies */
	if (cr) {
		xmlNodePtr n, t;
		for (n = cr->children; n; n = n->next)
			for (t = n->children; t; t = t->next)
				if (t->content)
					OPENSSL_cleanse(t->content,
					                strlen((const char *)t->content));
	}
	free(akid);
	wipe_free(secret);
	wipe_free(token);
	free(exp);
	return rc;
}

int sts_assume(struct aws_client *c, const char *action, const char *role_arn, const char *token,
               const struct sts_assume_options *o, const struct aws_creds *base, const char *source,
               struct aws_creds *out, struct aws_error *err)
{
	static const struct sts_assume_options none;
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	char session[64], dur[16], src[300];
	int rc;

	if (!o)
		o = &none;
	aws_error_clear(err);
	snprintf(session, sizeof(session), "ebctl-%lld", (long long)time_now());
	aws_params_add(&p, "RoleArn", role_arn);
	aws_params_add(&p, "RoleSessionName", o->session_name ? o->session_name : session);
	if (o->duration_seconds > 0) {
		snprintf(dur, sizeof(dur), "%d", o->duration_seconds);
		aws_params_add(&p, "DurationSeconds", dur);
	}
	if (token)
		aws_params_add(&p, "WebIdentityToken", token);
	else if (o->external_id)
		aws_params_add(&p, "ExternalId", o->external_id);
	if (!source) {
		snprintf(src, sizeof(src), "assumed role '%s'", role_arn);
		source = src;
	}
	/* AssumeRoleWithWebIdentity is unsigned: the token is the proof */
	rc = aws_query_ex(c, "sts", action, &p, AWS_IDEMPOTENT, base, token != NULL, &doc, err);
	if (rc == 0)
		rc = sts_creds_from_doc(doc, action, source, out, err);
	xmlFreeDoc(doc);
	aws_params_cleanup(&p);
	return rc;
}

int sts_assume_role(struct aws_client *c, const char *role_arn, const struct sts_assume_options *o,
                    struct aws_creds *out, struct aws_error *err)
{
	return sts_assume(c, "AssumeRole", role_arn, NULL, o, NULL, NULL, out, err);
}

int sts_assume_role_with_web_identity(struct aws_client *c, const char *role_arn, const char *token,
                                      const struct sts_assume_options *o, struct aws_creds *out,
                                      struct aws_error *err)
{
	return sts_assume(c, "AssumeRoleWithWebIdentity", role_arn, token, o, NULL, NULL, out, err);
}
