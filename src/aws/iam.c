/* IAM reads that catch, before an environment is created, what would make
 * its creation fail ten minutes in: the instance profile and the service role. */
#include "internal.h"

#include "ebctl/iam.h"

#include <stdlib.h>
#include <string.h>

/* A read whose NoSuchEntity answer means "absent". Returns 1 found, 0
 * absent, -1 on any other error. */
static int get(struct aws_client *c, const char *action, const char *key, const char *name,
               xmlDocPtr *doc, struct aws_error *err)
{
	struct aws_params p = {0};
	int rc;
	aws_params_add(&p, key, name);
	rc = aws_query(c, "iam", action, &p, AWS_IDEMPOTENT, doc, err);
	aws_params_cleanup(&p);
	if (rc == 0)
		return 1;
	if (!strcmp(err->code, "NoSuchEntity")) {
		aws_error_clear(err);
		return 0;
	}
	return -1;
}

int iam_instance_profile_roles(struct aws_client *c, const char *name, int *nroles,
                               struct aws_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	int rc = get(c, "GetInstanceProfile", "InstanceProfileName", name, &doc, err);
	*nroles = 0;
	if (rc == 1) {
		r = aws_xml_result(doc, "GetInstanceProfile");
		for (m = aws_xml_child(aws_xml_child(aws_xml_child(r, "InstanceProfile"), "Roles"),
		                       "member");
		     m; m = aws_xml_next(m))
			(*nroles)++;
	}
	xmlFreeDoc(doc);
	return rc;
}

int iam_role_exists(struct aws_client *c, const char *name, struct aws_error *err)
{
	xmlDocPtr doc = NULL;
	int rc = get(c, "GetRole", "RoleName", name, &doc, err);
	xmlFreeDoc(doc);
	return rc;
}
