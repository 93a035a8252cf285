/*
 * AWS STS: who am I, and temporary credentials for a role.
 */
#ifndef EBCTL_STS_H
#define EBCTL_STS_H

#include "ebctl/aws.h"

struct sts_identity {
	char *account;
	char *arn;
	char *user_id;
};
void sts_identity_cleanup(struct sts_identity *id);

int sts_get_caller_identity(struct aws_client *c, struct sts_identity *out, struct aws_error *err);

struct sts_assume_options {
	const char *session_name; /* NULL: "ebctl-<epoch seconds>" */
	int duration_seconds;     /* 0: the service default (1 h) */
	const char *external_id;  /* AssumeRole only; NULL for none */
};

/* AssumeRole with the client's credentials; out gets the role's
 * temporary credentials (aws_creds_cleanup), source "assumed role ARN". */
int sts_assume_role(struct aws_client *c, const char *role_arn, const struct sts_assume_options *o,
                    struct aws_creds *out, struct aws_error *err);

/* AssumeRoleWithWebIdentity: an unsigned call; token is the OIDC JWT. */
int sts_assume_role_with_web_identity(struct aws_client *c, const char *role_arn, const char *token,
                                      const struct sts_assume_options *o, struct aws_creds *out,
                                      struct aws_error *err);

#endif
