/* The bundle: its hash, the whole of `ebctl bundle`, and checks of a prebuilt zip
 * (the zip itself is written by zipwrite.c). */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* zip_open, giving why it failed to sink. */
static zip_t *open_zip(const char *path, int flags, const char *what, const struct msgsink *sink)
{
	int zerr = 0;
	zip_t *za = zip_open(path, flags, &zerr);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		sink_error(sink, "cannot %s '%s': %s", what, path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
	}
	return za;
}

static bool is_manifest(const char *name)
{
	return !strcmp(name, "Dockerrun.aws.json") || !strcmp(name, "docker-compose.yml");
}

static int check_size(const char *path, const struct msgsink *sink)
{
	struct stat st;
	if (stat(path, &st)) {
		sink_error(sink, "cannot read '%s': %s", path, strerror(errno));
		return EBCTL_ERR_INVALID;
	}
	if ((unsigned long long)st.st_size > BUNDLE_MAX_BYTES) {
		sink_error(
		    sink,
		    "%s: error: the bundle is %.1f MB; Elastic Beanstalk takes at most 512 MB "
		    "[bundle-size]",
		    path, (double)st.st_size / (1024.0 * 1024.0));
		return EBCTL_ERR_INVALID;
	}
	return 0;
}

int bundle_check_zip(const char *zip_path, struct dr_report *diags, const struct msgsink *sink)
{
	zip_t *za;
	zip_int64_t n, i;
	int rc;
	bool found = false;
	const char *nested = NULL;

	rc = check_size(zip_path, sink);
	if (rc)
		return rc;
	za = open_zip(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, "open as a zip", sink);
	if (!za)
		return EBCTL_ERR_INVALID;
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
		const char *base;
		if (!name)
			continue;
		if (is_manifest(name))
			found = true;
		base = strrchr(name, '/');
		if (!nested && base && is_manifest(base + 1))
			nested = name;
	}
	if (!found) {
		if (nested)
			sink_error(
			    sink,
			    "%s: error: '%s' is in a folder; Elastic Beanstalk reads "
			    "Dockerrun.aws.json only at the zip"
			    " root (zip the folder's contents, not the folder) [bundle-root]",
			    zip_path, nested);
		else
			sink_error(
			    sink,
			    "%s: error: no Dockerrun.aws.json or docker-compose.yml at the zip "
			    "root [bundle-root]",
			    zip_path);
		zip_discard(za);
		return EBCTL_ERR_INVALID;
	}
	zip_discard(za);
	return bundle_validate_zip(zip_path, diags, sink);
}

int bundle_build(const char *dir, bool all, const char *out_path, struct file_digest *digest,
                 struct dr_report *diags, struct bundle_files *keep, const struct msgsink *sink)
{
	struct bundle_files files = {0};
	int rc;
	if (keep)
		memset(keep, 0, sizeof(*keep));
	rc = bundle_select(dir, all, out_path, &files, sink);
	if (rc)
		return rc;
	rc = bundle_validate_dir(dir, &files, diags, sink);
	if (!rc)
		rc = bundle_zip_write(dir, &files, out_path, digest, sink);
	if (!rc) {
		rc = check_size(out_path, sink);
		if (rc)
			unlink(out_path);
	}
	/* The writer takes the digest of what it writes, unless it went back to
	 * patch a streamed entry's header: then the file is read again. */
	if (!rc && !digest->sha256_hex[0]) {
		uint64_t piece = digest->piece_size;
		file_digest_cleanup(digest);
		if (file_digest_path(out_path, piece, digest)) {
			sink_error(sink, "cannot read '%s': %s", out_path, strerror(errno));
			rc = EBCTL_ERR_INVALID;
		}
	}
	if (keep && !rc)
		*keep = files;
	else
		bundle_files_cleanup(&files);
	return rc;
}

int bundle_zip_list(const char *zip_path, struct bundle_files *out, const struct msgsink *sink)
{
	zip_t *za;
	zip_int64_t n, i;
	memset(out, 0, sizeof(*out));
	za = open_zip(zip_path, ZIP_RDONLY, "open as a zip", sink);
	if (!za)
		return EBCTL_ERR_INVALID;
	n = zip_get_num_entries(za, 0);
	out->v = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		size_t len;
		if (!name || !*name)
			continue;
		len = strlen(name);
		if (name[len - 1] == '/')
			len--;
		out->v[out->n++].path = xstrndup(name, len);
	}
	zip_discard(za);
	bundle_files_sort(out);
	return 0;
}
