/* Unpacking downloaded log bundles, safely. */
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

int op_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;
	for (s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* A relative path that stays inside its directory: no "/..." and no ".." part. */
static bool safe_entry_name(const char *name)
{
	const char *p = name;
	if (!*name || name[0] == '/' || strchr(name, '\\'))
		return false;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

struct unzip_state {
	zip_t *za;
	const char *zip, *dir;
	int root; /* dir, opened without following a link */
	const struct op_unzip_limits *lim;
	uint64_t limit, written;
	struct strlist made;        /* paths created, to remove after a failure */
	const struct msgsink *sink; /* told why it failed, and of the links left out */
};

/* The directory fd of rel's parent under the root, each component created
 * when missing and never followed when a link; *last is rel's last part. */
static int open_parent(struct unzip_state *u, char *rel, const char **last)
{
	int fd = dup(u->root);
	char *p = rel, *slash;
	while (fd >= 0 && (slash = strchr(p, '/'))) {
		int next;
		*slash = '\0';
		if (*p && strcmp(p, ".") != 0) {
			if (mkdirat(fd, p, 0755) == 0) {
				char *full = xasprintf("%s/%.*s", u->dir, (int)(slash - rel), rel);
				strlist_add(&u->made, full);
				free(full);
			}
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0)
				sink_error(u->sink, "cannot create '%s/%s': %s", u->dir, rel,
				           strerror(errno));
			close(fd);
			fd = next;
		}
		*slash = '/';
		p = slash + 1;
	}
	*last = p;
	return fd;
}

/* write(2) until all of it is out: a short write is retried, so the error
 * reported is the one that stopped it (ENOSPC, EFBIG), never a stale errno. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int extract_one(struct unzip_state *u, zip_uint64_t i, const char *name)
{
	char *rel = xstrdup(name), *path = xasprintf("%s/%s", u->dir, name), buf[16384];
	const char *last;
	zip_file_t *zf = NULL;
	zip_int64_t got;
	int dfd, fd = -1, rc = -1;

	if ((dfd = open_parent(u, rel, &last)) < 0)
		goto out;
	if (!(zf = zip_fopen_index(u->za, i, 0))) {
		sink_error(u->sink, "cannot read '%s' in the bundle: %s", name,
		           zip_strerror(u->za));
		goto out;
	}
	fd = openat(dfd, last, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		sink_error(u->sink, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	strlist_add(&u->made, path);
	/* The sizes the zip declares are not trusted: what is written counts. */
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		if ((uint64_t)got > u->limit - u->written) {
			sink_error(u->sink,
			           "'%s' unpacks to more than %llu bytes (%s): not unpacked",
			           u->zip, (unsigned long long)u->limit,
			           u->limit == u->lim->max_total ? "the unpacked size limit"
			                                         : "the compression ratio limit");
			goto out;
		}
		if (write_all(fd, buf, (size_t)got)) {
			sink_error(u->sink, "cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
		u->written += (uint64_t)got;
	}
	if (got < 0) {
		sink_error(u->sink, "cannot read '%s' in the bundle: %s", name,
		           zip_file_strerror(zf));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) && rc == 0) {
		sink_error(u->sink, "cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (dfd >= 0)
		close(dfd);
	if (zf)
		zip_fclose(zf);
	free(rel);
	free(path);
	return rc;
}

/* After a failure: what was created goes again, the deepest first. */
static void remove_made(struct unzip_state *u)
{
	size_t i = u->made.n;
	while (i-- > 0)
		if (rmdir(u->made.v[i]) != 0 && errno == ENOTDIR)
			unlink(u->made.v[i]);
}

static int unzip_entries(struct unzip_state *u)
{
	zip_int64_t n = zip_get_num_entries(u->za, 0), i;
	int rc = 0;
	if (n < 0 || (uint64_t)n > u->lim->max_entries) {
		sink_error(u->sink, "'%s' holds more than %llu entries: not unpacked", u->zip,
		           (unsigned long long)u->lim->max_entries);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const char *name = zip_get_name(u->za, (zip_uint64_t)i, 0);
		zip_uint8_t os;
		zip_uint32_t attr;
		if (!name || !safe_entry_name(name)) {
			sink_error(u->sink, "'%s' holds an entry outside its directory: '%s'",
			           u->zip, name ? name : "?");
			return -1;
		}
		if (str_ends_with(name, "/")) {
			char *rel = xasprintf("%s.", name);
			const char *last;
			int fd = open_parent(u, rel, &last);
			rc = fd < 0 ? -1 : 0;
			if (fd >= 0)
				close(fd);
			free(rel);
			continue;
		}
		/* A symbolic link is left out: it could point anywhere. */
		if (zip_file_get_external_attributes(u->za, (zip_uint64_t)i, 0, &os, &attr) == 0 &&
		    os == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK) {
			sink_warn(u->sink, "'%s': skipped the symbolic link '%s'", u->zip, name);
			continue;
		}
		rc = extract_one(u, (zip_uint64_t)i, name);
	}
	return rc;
}

void op_unzip_limits_default(struct op_unzip_limits *lim)
{
	lim->max_total = OP_UNZIP_MAX_TOTAL;
	lim->max_ratio = OP_UNZIP_MAX_RATIO;
	lim->max_entries = OP_UNZIP_MAX_ENTRIES;
}

int op_unzip_limited(const char *zip, const char *dir, const struct op_unzip_limits *lim,
                     const struct msgsink *sink)
{
	struct op_unzip_limits dflt;
	struct unzip_state u;
	struct stat st;
	int zerr = 0, rc = -1;

	memset(&u, 0, sizeof(u));
	if (!lim) {
		op_unzip_limits_default(&dflt);
		lim = &dflt;
	}
	u.zip = zip;
	u.dir = dir;
	u.lim = lim;
	u.sink = sink;
	u.root = -1;
	if (!(u.za = zip_open(zip, ZIP_RDONLY, &zerr))) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		sink_error(sink, "cannot open '%s': %s", zip, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return EBCTL_ERR_INVALID;
	}
	/* The ratio bounds what a small bomb may unpack to, the total a large one. */
	u.limit = lim->max_total;
	if (stat(zip, &st) == 0 && lim->max_ratio &&
	    (uint64_t)st.st_size <= u.limit / lim->max_ratio)
		u.limit = (uint64_t)st.st_size * lim->max_ratio;
	if (u.limit < OP_UNZIP_RATIO_FLOOR && lim->max_total >= OP_UNZIP_RATIO_FLOOR)
		u.limit = OP_UNZIP_RATIO_FLOOR;
	if (stat(dir, &st) != 0 && errno == ENOENT && op_mkdirs(dir) == 0)
		strlist_add(&u.made, dir);
	u.root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u.root < 0)
		sink_error(sink, "cannot create '%s': %s", dir, strerror(errno));
	else
		rc = unzip_entries(&u);
	if (rc != 0)
		remove_made(&u);
	if (u.root >= 0)
		close(u.root);
	strlist_cleanup(&u.made);
	zip_discard(u.za);
	return rc ? EBCTL_ERR_INVALID : EBCTL_OK;
}
