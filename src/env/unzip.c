/* Unpacking downloaded log bundles, safely. */
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
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

static int extract_one(zip_t *za, zip_uint64_t i, const char *name, const char *dir, char *err,
                       size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, name), *slash, buf[16384];
	zip_file_t *zf = NULL;
	zip_int64_t got;
	int fd = -1, rc = -1;

	if ((slash = strrchr(path, '/')) && slash > path) {
		*slash = '\0';
		if (op_mkdirs(path)) {
			snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
			goto out;
		}
		*slash = '/';
	}
	if (!(zf = zip_fopen_index(za, i, 0))) {
		snprintf(err, errlen, "cannot read '%s' in the bundle: %s", name, zip_strerror(za));
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)got) != got) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	if (got < 0) {
		snprintf(err, errlen, "cannot read '%s' in the bundle: %s", name,
		         zip_file_strerror(zf));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) && rc == 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		rc = -1;
	}
	if (zf)
		zip_fclose(zf);
	free(path);
	return rc;
}

int op_unzip(const char *zip, const char *dir, char *err, size_t errlen)
{
	zip_t *za;
	zip_int64_t n, i;
	int zerr = 0, rc = 0;

	if (!(za = zip_open(zip, ZIP_RDONLY, &zerr))) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		snprintf(err, errlen, "cannot open '%s': %s", zip, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	if (op_mkdirs(dir)) {
		snprintf(err, errlen, "cannot create '%s': %s", dir, strerror(errno));
		zip_discard(za);
		return -1;
	}
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n && rc == 0; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		zip_uint8_t os;
		zip_uint32_t attr;
		if (!name || !safe_entry_name(name)) {
			snprintf(err, errlen, "'%s' holds an entry outside its directory: '%s'",
			         zip, name ? name : "?");
			rc = -1;
			break;
		}
		if (str_ends_with(name, "/")) {
			char *sub = xasprintf("%s/%s", dir, name);
			if (op_mkdirs(sub)) {
				snprintf(err, errlen, "cannot create '%s': %s", sub,
				         strerror(errno));
				rc = -1;
			}
			free(sub);
			continue;
		}
		/* A symbolic link is left out: it could point anywhere. */
		if (zip_file_get_external_attributes(za, (zip_uint64_t)i, 0, &os, &attr) == 0 &&
		    os == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK) {
			warnf("'%s': skipped the symbolic link '%s'", zip, name);
			continue;
		}
		rc = extract_one(za, (zip_uint64_t)i, name, dir, err, errlen);
	}
	zip_discard(za);
	return rc;
}
