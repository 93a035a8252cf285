/* The deterministic zip, its hash, and checks of a prebuilt zip. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <openssl/evp.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define DEFLATE_LEVEL 6

/* 1980-01-01 00:00, the zip epoch. libzip converts with localtime, so the
 * time_t is built in local time to land on the same DOS fields anywhere. */
static time_t zip_epoch(void)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 80;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* Unix mode in the high 16 bits, as Info-ZIP writes it; only the type and
 * the executable bit survive, so a checkout with another umask gives the
 * same bytes. */
static zip_uint32_t external_attr(mode_t mode)
{
	mode_t m;
	if (S_ISLNK(mode))
		m = S_IFLNK | 0777;
	else if (S_ISDIR(mode))
		m = S_IFDIR | 0755;
	else
		m = S_IFREG | ((mode & 0111) ? 0755 : 0644);
	return (zip_uint32_t)m << 16 | (S_ISDIR(mode) ? 0x10 : 0);
}

/* zip_open, printing why it failed. */
static zip_t *open_zip(const char *path, int flags, const char *what)
{
	int zerr = 0;
	zip_t *za = zip_open(path, flags, &zerr);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		errorf("cannot %s '%s': %s", what, path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
	}
	return za;
}

static int zip_fail(zip_t *za, const char *what, const char *path)
{
	errorf("cannot %s '%s': %s", what, path, zip_strerror(za));
	return EB_EXIT_INVALID;
}

int bundle_write_zip(const char *dir, const struct bundle_files *files, const char *out_path)
{
	zip_t *za;
	int rc = 0;
	size_t i;
	time_t epoch = zip_epoch();

	za = open_zip(out_path, ZIP_CREATE | ZIP_TRUNCATE, "create");
	if (!za)
		return EB_EXIT_INVALID;
	for (i = 0; !rc && i < files->n; i++) {
		const struct bundle_entry *e = &files->v[i];
		char *full = xasprintf("%s/%s", dir, e->path);
		zip_int64_t idx;
		if (S_ISDIR(e->mode)) {
			idx = zip_dir_add(za, e->path, ZIP_FL_ENC_UTF_8);
		} else {
			zip_source_t *src;
			if (S_ISLNK(e->mode)) {
				char target[4096];
				ssize_t n = readlink(full, target, sizeof(target) - 1);
				char *copy;
				if (n < 0) {
					errorf("cannot read the link '%s': %s", full,
					       strerror(errno));
					free(full);
					rc = EB_EXIT_INVALID;
					break;
				}
				copy = xstrndup(target, (size_t)n);
				src = zip_source_buffer(za, copy, (zip_uint64_t)n, 1);
				if (!src)
					free(copy);
			} else {
				src = zip_source_file(za, full, 0, -1);
			}
			if (!src) {
				rc = zip_fail(za, "add", full);
				free(full);
				break;
			}
			idx = zip_file_add(za, e->path, src, ZIP_FL_ENC_UTF_8);
			if (idx < 0)
				zip_source_free(src);
			else if (zip_set_file_compression(za, (zip_uint64_t)idx,
			                                  S_ISLNK(e->mode) ? ZIP_CM_STORE
			                                                   : ZIP_CM_DEFLATE,
			                                  S_ISLNK(e->mode) ? 0 : DEFLATE_LEVEL))
				idx = -1;
		}
		if (idx < 0 || zip_file_set_mtime(za, (zip_uint64_t)idx, epoch, 0) ||
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
		                                     external_attr(e->mode)))
			rc = zip_fail(za, "add", full);
		free(full);
	}
	if (rc) {
		zip_discard(za);
		return rc;
	}
	if (zip_close(za)) {
		rc = zip_fail(za, "write", out_path);
		zip_discard(za);
	}
	return rc;
}

int bundle_sha256(const char *path, char hex[65], uint64_t *size)
{
	unsigned char md[32], *chunk;
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	FILE *f = fopen(path, "rb");
	uint64_t total = 0;
	size_t n;
	int rc = 0, e = 0;
	if (!f)
		return -1;
	chunk = xmalloc(1 << 16);
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		die("cannot set up SHA-256");
	while ((n = fread(chunk, 1, 1 << 16, f)) > 0) {
		EVP_DigestUpdate(ctx, chunk, n);
		total += n;
	}
	if (ferror(f)) {
		e = errno ? errno : EIO;
		rc = -1;
	} else {
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		hex_encode(md, sizeof(md), hex);
		if (size)
			*size = total;
	}
	EVP_MD_CTX_free(ctx);
	free(chunk);
	fclose(f);
	if (rc)
		errno = e;
	return rc;
}

static bool is_manifest(const char *name)
{
	return !strcmp(name, "Dockerrun.aws.json") || !strcmp(name, "docker-compose.yml");
}

static int check_size(const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		errorf("cannot read '%s': %s", path, strerror(errno));
		return EB_EXIT_INVALID;
	}
	if ((unsigned long long)st.st_size > BUNDLE_MAX_BYTES) {
		errorf("%s: error: the bundle is %.1f MB; Elastic Beanstalk takes at most 512 MB "
		       "[bundle-size]",
		       path, (double)st.st_size / (1024.0 * 1024.0));
		return EB_EXIT_INVALID;
	}
	return 0;
}

int bundle_check_zip(const char *zip_path, struct dr_report *diags)
{
	zip_t *za;
	zip_int64_t n, i;
	int rc;
	bool found = false;
	const char *nested = NULL;

	rc = check_size(zip_path);
	if (rc)
		return rc;
	za = open_zip(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, "open as a zip");
	if (!za)
		return EB_EXIT_INVALID;
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
			errorf("%s: error: '%s' is in a folder; Elastic Beanstalk reads "
			       "Dockerrun.aws.json only at the zip"
			       " root (zip the folder's contents, not the folder) [bundle-root]",
			       zip_path, nested);
		else
			errorf("%s: error: no Dockerrun.aws.json or docker-compose.yml at the zip "
			       "root [bundle-root]",
			       zip_path);
		zip_discard(za);
		return EB_EXIT_INVALID;
	}
	zip_discard(za);
	return bundle_validate_zip(zip_path, diags);
}

/* zlib allocates ~256 KiB of state per compressed entry. Above glibc's
 * mmap threshold that is a fresh mapping per file, faulted in, zeroed and
 * unmapped again: on a tree of small files it cost more than compressing
 * them (twice Info-ZIP's CPU on 3000 files). Keep such blocks in the heap. */
static void keep_zlib_state_in_heap(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

int bundle_build(const char *dir, bool all, const char *out_path, char hex[65], uint64_t *size,
                 struct dr_report *diags)
{
	struct bundle_files files = {0};
	int rc;
	keep_zlib_state_in_heap();
	rc = bundle_select(dir, all, out_path, &files);
	if (rc)
		return rc;
	rc = bundle_validate_dir(dir, &files, diags);
	if (!rc)
		rc = bundle_write_zip(dir, &files, out_path);
	bundle_files_free(&files);
	if (!rc) {
		rc = check_size(out_path);
		if (rc)
			unlink(out_path);
	}
	if (!rc && bundle_sha256(out_path, hex, size)) {
		errorf("cannot read '%s': %s", out_path, strerror(errno));
		rc = EB_EXIT_INVALID;
	}
	return rc;
}
