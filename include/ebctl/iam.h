/*
 * IAM (Query protocol, API version 2010-05-08; one global endpoint per
 * partition, AWS_ENDPOINT_URL_IAM): the reads `ebctl create` checks first.
 */
#ifndef EBCTL_IAM_H
#define EBCTL_IAM_H

#include "ebctl/aws.h"

/* GetInstanceProfile: 1 when it exists (*nroles: the roles in it), 0 when
 * it does not, -1 with err on any other failure. */
int iam_instance_profile_roles(struct aws_client *c, const char *name, int *nroles,
                               struct aws_error *err);
/* GetRole: 1 exists, 0 does not, -1 with err. */
int iam_role_exists(struct aws_client *c, const char *name, struct aws_error *err);

#endif
