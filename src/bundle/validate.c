/* The bundle's manifest is checked before anything leaves the machine. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define MANIFEST_MAX (4u << 20)

/* Read name from the zip's root into b. Returns 0, 1 when absent, -1 on error. */
static int read_from_zip(const char *zip_path, const char *name, struct buf *b)
{
	int zerr = 0, rc = 0;
	zip_t *za = zip_open(zip_path, ZIP_RDONLY, &zerr);
	zip_file_t *zf;
	char chunk[8192];
	zip_int64_t n;
	if (!za)
		return -1;
	zf = zip_fopen(za, name, 0);
	if (!zf) {
		zip_discard(za);
		return 1;
	}
	while ((n = zip_fread(zf, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)n)) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	zip_fclose(zf);
	zip_discard(za);
	return rc;
}

static int check_json(const char *label, const struct buf *b)
{
	json_error_t je;
	json_t *j = json_loadb(buf_cstr(b), b->len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		errorf("%s:%d:%d: error: %s [json-syntax]", label, je.line, je.column, je.text);
		return EB_EXIT_INVALID;
	}
	if (!json_is_object(j)) {
		errorf("%s:1:1: error: the top level is not an object [json-syntax]", label);
		json_decref(j);
		return EB_EXIT_INVALID;
	}
	json_decref(j);
	return 0;
}

int bundle_validate(const char *dir, const char *zip_path)
{
	struct buf b;
	char *label;
	int rc, r;
	buf_init(&b, MANIFEST_MAX);
	if (dir) {
		label = xasprintf("%s/Dockerrun.aws.json", dir);
		r = buf_read_file(&b, label, MANIFEST_MAX);
		if (r && errno == ENOENT) {
			free(label);
			buf_free(&b);
			return 0; /* a v3 bundle without one: compose only */
		}
	} else {
		label = xasprintf("%s:Dockerrun.aws.json", zip_path);
		r = read_from_zip(zip_path, "Dockerrun.aws.json", &b);
		if (r == 1) {
			free(label);
			buf_free(&b);
			return 0;
		}
	}
	if (r) {
		errorf("cannot read '%s': %s", label, strerror(errno ? errno : EIO));
		rc = EB_EXIT_INVALID;
	} else {
		rc = check_json(label, &b);
	}
	free(label);
	buf_free(&b);
	return rc;
}
