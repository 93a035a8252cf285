/*
 * XML responses with libxml2, parsed defensively: no network access, no
 * entity substitution, no DTD at all (AWS never sends one), bounded size.
 * Helpers walk elements by local name so namespaces do not matter.
 */
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>

#include "internal.h"

xmlDocPtr aws_xml_parse(const char *data, size_t len)
{
	xmlDocPtr doc;
	if (!data || len == 0 || len > AWS_MAX_RESPONSE || len > (size_t)INT32_MAX)
		return NULL;
	/* XML_PARSE_NONET: no fetching; without XML_PARSE_NOENT entities are
	 * not substituted, without XML_PARSE_DTDLOAD no external subset. */
	doc = xmlReadMemory(data, (int)len, NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return NULL;
	if (doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static bool is_elem(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       (!name || strcmp((const char *)n->name, name) == 0);
}

xmlNodePtr aws_xml_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;
	if (!parent)
		return NULL;
	for (n = parent->children; n; n = n->next)
		if (is_elem(n, name))
			return n;
	return NULL;
}

xmlNodePtr aws_xml_next(xmlNodePtr node)
{
	xmlNodePtr n;
	if (!node)
		return NULL;
	for (n = node->next; n; n = n->next)
		if (is_elem(n, (const char *)node->name))
			return n;
	return NULL;
}

xmlNodePtr aws_xml_path(xmlNodePtr node, const char *path)
{
	char name[128];
	while (node && *path) {
		size_t len = strcspn(path, "/");
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		node = aws_xml_child(node, name);
		path += len;
		if (*path == '/')
			path++;
	}
	return node;
}

char *aws_xml_node_text(xmlNodePtr node)
{
	struct buf b = BUF_INIT;
	xmlNodePtr n;
	/* only direct text and CDATA: entity references are never expanded */
	for (n = node ? node->children : NULL; n; n = n->next)
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
			buf_puts(&b, (const char *)n->content);
	return buf_detach(&b, NULL);
}

char *aws_xml_text(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = aws_xml_child(parent, name);
	return n ? aws_xml_node_text(n) : NULL;
}

xmlNodePtr aws_xml_result(xmlDocPtr doc, const char *action)
{
	char name[128];
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	snprintf(name, sizeof(name), "%sResult", action);
	return aws_xml_child(root, name);
}

static void copy_text(char *dst, size_t n, xmlNodePtr parent, const char *name)
{
	char *t = aws_xml_text(parent, name);
	if (t && *t)
		snprintf(dst, n, "%s", t);
	free(t);
}

int aws_xml_parse_error(const char *data, size_t len, struct aws_error *e)
{
	xmlDocPtr doc = aws_xml_parse(data, len);
	xmlNodePtr root, err;
	int rc = -1;

	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (is_elem(root, "ErrorResponse") || is_elem(root, "Response")) {
		/* Query: <ErrorResponse><Error><Code/><Message/></Error><RequestId/> */
		err = aws_xml_child(root, "Error");
		if (!err)
			err = aws_xml_path(root, "Errors/Error");
		if (err) {
			copy_text(e->code, sizeof(e->code), err, "Code");
			copy_text(e->message, sizeof(e->message), err, "Message");
			copy_text(e->request_id, sizeof(e->request_id), root, "RequestId");
			if (!e->request_id[0])
				copy_text(e->request_id, sizeof(e->request_id), root, "RequestID");
			rc = 0;
		}
	} else if (is_elem(root, "Error")) {
		/* S3: <Error><Code/><Message/><RequestId/></Error> */
		copy_text(e->code, sizeof(e->code), root, "Code");
		copy_text(e->message, sizeof(e->message), root, "Message");
		copy_text(e->request_id, sizeof(e->request_id), root, "RequestId");
		rc = 0;
	}
	xmlFreeDoc(doc);
	return e->code[0] ? rc : -1;
}

int aws_json_parse_error(const char *data, size_t len, const char *errortype_header,
                         struct aws_error *e)
{
	json_t *j = (data && len) ? json_loadb(data, len, 0, NULL) : NULL;
	const char *type = NULL, *msg = NULL, *hash;
	if (json_is_object(j)) {
		type = json_string_value(json_object_get(j, "__type"));
		if (!type)
			type = json_string_value(json_object_get(j, "code"));
		msg = json_string_value(json_object_get(j, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(j, "Message"));
	}
	if (errortype_header && *errortype_header)
		type = errortype_header;
	if (type) {
		/* "com.amazonaws.logs#ResourceNotFoundException:http://..." */
		hash = strrchr(type, '#');
		if (hash)
			type = hash + 1;
		snprintf(e->code, sizeof(e->code), "%.*s", (int)strcspn(type, ":"), type);
	}
	if (msg)
		snprintf(e->message, sizeof(e->message), "%s", msg);
	json_decref(j);
	return e->code[0] ? 0 : -1;
}
