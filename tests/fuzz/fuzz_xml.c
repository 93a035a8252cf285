/*
 * libFuzzer target: any bytes as an AWS response body. Parses it as XML the
 * way every Query and S3 answer is read (aws_xml_parse), extracts an error
 * (aws_xml_parse_error, and the JSON-protocol form), and walks the tree
 * with the helpers the service wrappers use, along the paths they follow.
 * Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "aws/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The response shapes the wrappers read (src/aws/eb.c, s3.c, sts.c). */
static const char *const actions[] = {"DescribeEvents",
                                      "DescribeEnvironments",
                                      "CreateApplicationVersion",
                                      "DescribeApplicationVersions",
                                      "UpdateEnvironment",
                                      "AssumeRole",
                                      "DescribeEnvironmentHealth",
                                      "RetrieveEnvironmentInfo"};
static const char *const paths[] = {"Events",
                                    "Environments",
                                    "ApplicationVersionInfo",
                                    "ApplicationVersions",
                                    "Credentials",
                                    "InstancesHealth",
                                    "EnvironmentInfo",
                                    "ConfigurationSettings",
                                    "ApplicationVersionInfo/SourceBundle",
                                    "Upload",
                                    "UploadId",
                                    "Contents"};

static void check_string(const char *s, size_t cap)
{
	/* every field of struct aws_error stays a terminated string */
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

/* Depth-first walk of every element through the public helpers. */
static void walk(xmlNodePtr n, int depth)
{
	xmlNodePtr c;
	char *t;
	if (!n || depth > 64)
		return;
	t = aws_xml_node_text(n);
	if (!t)
		abort();
	free(t);
	for (c = aws_xml_child(n, NULL); c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		free(aws_xml_text(n, (const char *)c->name));
		walk(c, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aws_error e;
	xmlDocPtr doc;
	xmlNodePtr root, r, m;
	size_t i, j;

	memset(&e, 0, sizeof(e));
	if (aws_xml_parse_error((const char *)data, size, &e) == 0 && !e.code[0])
		abort();
	check_string(e.code, sizeof(e.code));
	check_string(e.message, sizeof(e.message));
	check_string(e.request_id, sizeof(e.request_id));
	memset(&e, 0, sizeof(e));
	aws_json_parse_error((const char *)data, size, NULL, &e);
	check_string(e.code, sizeof(e.code));

	doc = aws_xml_parse((const char *)data, size);
	if (!doc)
		return 0;
	root = xmlDocGetRootElement(doc);
	walk(root, 0);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		r = aws_xml_result(doc, actions[i]);
		for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
			for (m = aws_xml_child(aws_xml_path(r, paths[j]), "member"); m;
			     m = aws_xml_next(m)) {
				free(aws_xml_text(m, "Message"));
				free(aws_xml_text(m, "VersionLabel"));
			}
			free(aws_xml_text(aws_xml_path(root, paths[j]), "Key"));
		}
	}
	xmlFreeDoc(doc);
	return 0;
}
