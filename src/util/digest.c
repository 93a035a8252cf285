/* A file's SHA-256 and the CRC32 of each of its pieces, in one pass: the
 * bundle's content-addressed key and its multipart upload's part checksums
 * without reading it once for each. */
#include "ebctl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void start(struct file_digest *d)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	if (!sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL))
		die("cannot set up SHA-256");
	d->sha = sha;
}

void file_digest_init(struct file_digest *d, uint64_t piece_size)
{
	memset(d, 0, sizeof(*d));
	d->piece_size = piece_size;
	start(d);
}

void file_digest_update(struct file_digest *d, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (!n)
		return;
	EVP_DigestUpdate(d->sha, p, n);
	while (d->piece_size && n) {
		uint64_t used = d->size % d->piece_size;
		size_t take = d->piece_size - used < n ? (size_t)(d->piece_size - used) : n;
		if (used == 0) {
			d->crc32 = xrealloc(d->crc32, (d->npieces + 1) * sizeof(*d->crc32));
			d->crc32[d->npieces++] = 0;
		}
		d->crc32[d->npieces - 1] = libdeflate_crc32(d->crc32[d->npieces - 1], p, take);
		d->size += take;
		p += take;
		n -= take;
	}
	if (!d->piece_size)
		d->size += n;
}

void file_digest_final(struct file_digest *d)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	if (!d->sha)
		return;
	EVP_DigestFinal_ex(d->sha, md, &mdlen);
	hex_encode(md, sizeof(md), d->sha256_hex);
	EVP_MD_CTX_free(d->sha);
	d->sha = NULL;
}

int file_digest_path(const char *path, uint64_t piece_size, struct file_digest *d)
{
	/* 64 KiB: a larger buffer, out of the cache, costs the kernel several
	 * times more per byte to fill */
	unsigned char chunk[65536];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	memset(d, 0, sizeof(*d));
	if (fd < 0)
		return -1;
	file_digest_init(d, piece_size);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			file_digest_cleanup(d);
			errno = e;
			return -1;
		}
		file_digest_update(d, chunk, (size_t)got);
	}
	close(fd);
	file_digest_final(d);
	return 0;
}

void file_digest_cleanup(struct file_digest *d)
{
	if (d->sha)
		EVP_MD_CTX_free(d->sha);
	free(d->crc32);
	memset(d, 0, sizeof(*d));
}
