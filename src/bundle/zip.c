/* The deterministic zip, its hash, and checks of a prebuilt zip. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/*
 * A file's bytes for libzip, read from a descriptor that is checked against
 * the walk: opened without following a link (unless the entry is a
 * dereferenced manifest path), it must be the same regular file (device,
 * inode, size) that was listed, so a file swapped for a link, or for
 * another file, between the walk and the write fails the bundle instead of
 * putting other bytes in it.
 */
struct file_src {
	char *path;
	const struct bundle_entry *e;
	char **changed; /* set to the path of a file that is not what was listed */
	int fd, zerr, syserr;
};

static zip_int64_t src_fail(struct file_src *s, int zerr, int syserr)
{
	s->zerr = zerr;
	s->syserr = syserr;
	return -1;
}

static zip_int64_t file_src_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct file_src *s = ud;
	struct stat st;
	ssize_t n;
	switch (cmd) {
	case ZIP_SOURCE_SUPPORTS: return ZIP_SOURCE_SUPPORTS_READABLE;
	case ZIP_SOURCE_OPEN:
		s->fd = open(s->path, O_RDONLY | O_CLOEXEC | (s->e->deref ? 0 : O_NOFOLLOW));
		if (s->fd < 0) {
			if (errno == ELOOP && !*s->changed)
				*s->changed = xstrdup(s->path);
			return src_fail(s, ZIP_ER_OPEN, errno);
		}
		if (fstat(s->fd, &st) || !S_ISREG(st.st_mode) || st.st_dev != s->e->dev ||
		    st.st_ino != s->e->ino || (uint64_t)st.st_size != s->e->size) {
			close(s->fd);
			s->fd = -1;
			if (!*s->changed)
				*s->changed = xstrdup(s->path);
			return src_fail(s, ZIP_ER_CHANGED, 0);
		}
		return 0;
	case ZIP_SOURCE_READ:
		do
			n = read(s->fd, data, len > SSIZE_MAX ? SSIZE_MAX : (size_t)len);
		while (n < 0 && errno == EINTR);
		return n < 0 ? src_fail(s, ZIP_ER_READ, errno) : n;
	case ZIP_SOURCE_CLOSE:
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *zs = data;
		if (len < sizeof(*zs))
			return src_fail(s, ZIP_ER_INVAL, 0);
		memset(zs, 0, sizeof(*zs));
		zs->valid = ZIP_STAT_SIZE;
		zs->size = s->e->size;
		return sizeof(*zs);
	}
	case ZIP_SOURCE_ERROR: {
		int *e = data;
		if (len < 2 * sizeof(int))
			return -1;
		e[0] = s->zerr;
		e[1] = s->syserr;
		return 2 * sizeof(int);
	}
	case ZIP_SOURCE_FREE:
		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s);
		return 0;
	default: return src_fail(s, ZIP_ER_OPNOTSUPP, 0);
	}
}

static zip_source_t *file_source(zip_t *za, const char *full, const struct bundle_entry *e,
                                 char **changed)
{
	struct file_src *s = xcalloc(1, sizeof(*s));
	zip_source_t *src;
	s->path = xstrdup(full);
	s->e = e;
	s->changed = changed;
	s->fd = -1;
	if (!(src = zip_source_function(za, file_src_cb, s))) {
		free(s->path);
		free(s);
	}
	return src;
}

int bundle_write_zip(const char *dir, const struct bundle_files *files, const char *out_path)
{
	char *changed = NULL;
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
				src = file_source(za, full, e, &changed);
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
		if (changed)
			errorf(
			    "'%s' changed while the bundle was written (replaced, or swapped for "
			    "a link): run again",
			    changed);
		else
			rc = zip_fail(za, "write", out_path);
		rc = EB_EXIT_INVALID;
		zip_discard(za);
	}
	free(changed);
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
