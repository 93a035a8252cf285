/* Files written whole or not at all. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/util.h"

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.ebctl-XXXXXX", path);
	const unsigned char *d = data;
	int fd, saved, rc = -1;

	/* mkstemp creates it 0600: a secret is never readable by others,
	 * not even between the write and the chmod */
	if ((fd = mkstemp(tmp)) < 0)
		goto out;
	while (len) {
		ssize_t w = write(fd, d, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto out;
		d += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		goto out;
	saved = close(fd);
	fd = -1;
	if (saved != 0 || rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	errno = saved;
	return rc;
}
