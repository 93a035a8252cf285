/*
 * The deterministic zip, written on every core.
 *
 * Entries compress independently, so a pool of threads deflates them with
 * libdeflate (whole buffers, several times zlib's speed at the same ratio)
 * while one thread, the writer, appends them to the file in the sorted order
 * of the listing: the bytes do not depend on the number of threads or on
 * which finishes first. Memory is bounded by a window of entries in flight
 * (at most WINDOW_PER_JOB per thread, and BUDGET bytes of buffers between
 * them, the entry next to be written always admitted); a file above
 * LARGE_FILE is not held in memory at all but streamed by the writer
 * through zlib, so no file size makes the process grow.
 *
 * The container is written here rather than by libzip because libzip takes
 * no entry that is already compressed: it would deflate every entry itself,
 * on one thread, with zlib. What is written is the small subset of the zip
 * format Elastic Beanstalk, Info-ZIP, Python's zipfile and libzip all read:
 * local headers with their sizes and CRC filled in (no data descriptors),
 * the central directory, and the zip64 records (extra field 0x0001, the
 * zip64 end of central directory and its locator) only where a size, an
 * offset or the number of entries does not fit the classic fields.
 *
 * Method: stored for directories, links, empty files, file types that are
 * compressed already (images, archives, fonts, media) and any entry that
 * deflate does not make smaller; deflate (level 6) for the rest.
 */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define DEFLATE_LEVEL  6
#define MAX_JOBS       16
#define WINDOW_PER_JOB 32
#define BUDGET         (32u << 20) /* bytes of file and deflate buffers in flight */
#define LARGE_FILE     (8u << 20)  /* above this a file is streamed, not read whole */
#define STREAM_CHUNK   (1u << 20)
#define OUT_BUF        (256u << 10)

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END     0x06054b50u
#define SIG_END64   0x06064b50u
#define SIG_LOC64   0x07064b50u
#define MADE_BY     (3u << 8 | 30u)              /* Unix, zip 3.0 */
#define DOS_DATE    ((0u << 9) | (1u << 5) | 1u) /* 1980-01-01 */
#define U32_MAX_    0xffffffffu
#define FLAG_UTF8   0x0800u

static unsigned jobs_setting;
static bundle_progress_fn progress_fn;
static void *progress_arg;

void bundle_set_progress(bundle_progress_fn fn, void *arg)
{
	progress_fn = fn;
	progress_arg = arg;
}

static void progress(const struct bundle_progress *pr)
{
	if (progress_fn)
		progress_fn(pr, progress_arg);
}

void bundle_set_jobs(unsigned n)
{
	jobs_setting = n > MAX_JOBS ? MAX_JOBS : n;
}

unsigned bundle_jobs(void)
{
	long n;
	if (jobs_setting)
		return jobs_setting;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

/* Types whose content is compressed already: deflate would spend CPU for
 * nothing (Info-ZIP's -n list, widened to today's formats). */
bool bundle_store_by_name(const char *path)
{
	static const char *const exts[] = {
	    "png",  "jpg", "jpeg", "gif", "webp", "avif", "heic", "woff", "woff2", "gz",   "tgz",
	    "bz2",  "xz",  "zst",  "lz4", "zip",  "jar",  "war",  "ear",  "apk",   "7z",   "rar",
	    "mp3",  "mp4", "m4a",  "m4v", "ogg",  "oga",  "ogv",  "webm", "mov",   "avi",  "mkv",
	    "flac", "aac", "opus", "br",  "lz",   "lzma", "txz",  "tbz2", "whl",   "nupkg"};
	const char *base = strrchr(path, '/'), *dot;
	size_t i;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return false;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return true;
	return false;
}

static uint32_t external_attr(mode_t mode)
{
	mode_t m;
	if (S_ISLNK(mode))
		m = S_IFLNK | 0777;
	else if (S_ISDIR(mode))
		m = S_IFDIR | 0755;
	else
		m = S_IFREG | ((mode & 0111) ? 0755 : 0644);
	return (uint32_t)m << 16 | (S_ISDIR(mode) ? 0x10 : 0);
}

/* What the central directory needs of an entry once it is written. */
struct zent {
	uint64_t off, csize, usize;
	uint32_t crc;
	uint16_t method;
};

enum slot_state { SLOT_EMPTY, SLOT_TAKEN, SLOT_DONE, SLOT_FAILED, SLOT_WRITER };

/* One entry in flight. */
struct slot {
	enum slot_state state;
	unsigned char *data; /* the bytes to write: deflated or as they are */
	size_t len, cost;
	uint32_t crc;
	uint16_t method;
	int err; /* errno, or -1: the file is not the one the walk listed */
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv; /* room in the window; the next entry ready */
	unsigned idle;                   /* workers waiting on work_cv */
	const char *dir;
	const struct bundle_files *files;
	struct slot *slots;
	size_t window, next_take, next_write, used;
	bool stop;
};

static bool is_large(const struct bundle_entry *e)
{
	return S_ISREG(e->mode) && e->size > LARGE_FILE;
}

static size_t entry_cost(const struct bundle_entry *e)
{
	return S_ISREG(e->mode) && !is_large(e) ? 2 * (size_t)e->size : 0;
}

/* Open a listed file, checked to be what the walk saw (device, inode,
 * size; not a link unless the entry is a dereferenced manifest path).
 * Returns the descriptor, or -1 with *err an errno or -1 for "changed". */
static int open_listed(const char *full, const struct bundle_entry *e, int *err)
{
	struct stat st;
	int fd = open(full, O_RDONLY | O_CLOEXEC | (e->deref ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		*err = errno == ELOOP ? -1 : errno;
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_dev != e->dev || st.st_ino != e->ino ||
	    (uint64_t)st.st_size != e->size) {
		close(fd);
		*err = -1;
		return -1;
	}
	return fd;
}

static ssize_t read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, p + got, n - got > SSIZE_MAX ? SSIZE_MAX : n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Read a whole file of `size` bytes; -1 for "changed" when it is shorter
 * or longer than listed. */
static int read_listed(int fd, unsigned char *p, size_t size)
{
	unsigned char extra;
	ssize_t n = read_full(fd, p, size);
	if (n < 0)
		return errno;
	if ((size_t)n != size)
		return -1;
	n = read_full(fd, &extra, 1);
	if (n < 0)
		return errno;
	return n ? -1 : 0;
}

/* Make entry i ready to write: the thread-safe part, run by any thread. */
static void prepare(const struct pool *p, size_t i, struct libdeflate_compressor **c,
                    struct slot *s)
{
	const struct bundle_entry *e = &p->files->v[i];
	char *full;
	unsigned char *in, *out;
	size_t n;
	int fd;

	s->data = NULL;
	s->len = 0;
	s->crc = 0;
	s->method = 0;
	s->err = 0;
	s->state = SLOT_DONE;
	if (S_ISDIR(e->mode))
		return;
	if (is_large(e)) {
		s->state = SLOT_WRITER;
		return;
	}
	full = xasprintf("%s/%s", p->dir, e->path);
	if (S_ISLNK(e->mode)) {
		char target[4096];
		ssize_t r = readlink(full, target, sizeof(target));
		free(full);
		if (r < 0 || (size_t)r >= sizeof(target)) {
			s->err = r < 0 ? errno : ENAMETOOLONG;
			s->state = SLOT_FAILED;
			return;
		}
		s->data = xmalloc((size_t)r + 1);
		memcpy(s->data, target, (size_t)r);
		s->len = (size_t)r;
		s->crc = (uint32_t)libdeflate_crc32(0, s->data, s->len);
		return;
	}
	fd = open_listed(full, e, &s->err);
	free(full);
	if (fd < 0) {
		s->state = SLOT_FAILED;
		return;
	}
	n = (size_t)e->size;
	in = xmalloc(n ? n : 1);
	s->err = read_listed(fd, in, n);
	close(fd);
	if (s->err) {
		free(in);
		s->state = SLOT_FAILED;
		return;
	}
	s->crc = (uint32_t)libdeflate_crc32(0, in, n);
	s->data = in;
	s->len = n;
	if (n < 2 || bundle_store_by_name(e->path))
		return;
	if (!*c && !(*c = libdeflate_alloc_compressor(DEFLATE_LEVEL)))
		die("out of memory");
	/* Room for one byte less than the file: libdeflate returns 0 when the
	 * entry does not shrink, and it is stored. */
	out = xmalloc(n - 1);
	n = libdeflate_deflate_compress(*c, in, n, out, n - 1);
	if (!n) {
		free(out);
		return;
	}
	free(in);
	s->data = out;
	s->len = n;
	s->method = 8;
}

/* Take the next entry if the window and the budget allow; with the lock.
 * Once interrupted, nothing more is taken: each thread finishes the entry
 * it holds, and the writer stops at the first one not taken. */
static bool take(struct pool *p, size_t *i)
{
	size_t cost;
	if (p->stop || interrupt_requested() || p->next_take >= p->files->n ||
	    p->next_take >= p->next_write + p->window)
		return false;
	cost = entry_cost(&p->files->v[p->next_take]);
	if (p->next_take != p->next_write && p->used + cost > BUDGET)
		return false;
	*i = p->next_take++;
	p->used += cost;
	p->slots[*i % p->window].state = SLOT_TAKEN;
	p->slots[*i % p->window].cost = cost;
	return true;
}

static void run_one(struct pool *p, size_t i, struct libdeflate_compressor **c)
{
	struct slot s;
	pthread_mutex_unlock(&p->mu);
	prepare(p, i, c, &s);
	pthread_mutex_lock(&p->mu);
	s.cost = p->slots[i % p->window].cost;
	p->slots[i % p->window] = s;
	if (i == p->next_write) /* the writer may wait on no other */
		pthread_cond_signal(&p->done_cv);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct libdeflate_compressor *c = NULL;
	size_t i;
	pthread_mutex_lock(&p->mu);
	while (!p->stop && p->next_take < p->files->n) {
		if (take(p, &i)) {
			run_one(p, i, &c);
		} else {
			/* also when interrupted: the writer ends the pool with a broadcast */
			p->idle++;
			pthread_cond_wait(&p->work_cv, &p->mu);
			p->idle--;
		}
	}
	pthread_mutex_unlock(&p->mu);
	if (c)
		libdeflate_free_compressor(c);
	return NULL;
}

/* ---- the output file ---- */

struct out {
	int fd, err;
	uint64_t pos;
	size_t n;
	unsigned char *buf;
	struct file_digest *dg; /* the zip's digest as it is written; NULL once bytes are patched */
};

static void out_raw(struct out *o, const unsigned char *d, size_t len)
{
	size_t done = 0;
	while (!o->err && done < len) {
		ssize_t w = write(o->fd, d + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			o->err = errno;
		else
			done += (size_t)w;
	}
}

static void out_flush(struct out *o)
{
	out_raw(o, o->buf, o->n);
	o->n = 0;
}

static void out_put(struct out *o, const void *data, size_t len)
{
	const unsigned char *d = data;
	if (!len)
		return;
	if (o->dg)
		file_digest_update(o->dg, d, len);
	o->pos += len;
	if (len >= OUT_BUF) { /* big payloads go straight to the file */
		out_flush(o);
		out_raw(o, d, len);
		return;
	}
	if (o->n + len > OUT_BUF)
		out_flush(o);
	memcpy(o->buf + o->n, d, len);
	o->n += len;
}

static void put16(unsigned char **q, unsigned v)
{
	(*q)[0] = (unsigned char)v;
	(*q)[1] = (unsigned char)(v >> 8);
	*q += 2;
}

static void put32(unsigned char **q, uint32_t v)
{
	put16(q, v & 0xffff);
	put16(q, v >> 16);
}

static void put64(unsigned char **q, uint64_t v)
{
	put32(q, (uint32_t)v);
	put32(q, (uint32_t)(v >> 32));
}

static bool name_utf8(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static unsigned version_needed(const struct zent *z, bool zip64)
{
	return zip64 ? 45 : z->method == 8 ? 20 : 10;
}

/* The entry's name as stored: directories end with "/". */
static size_t stored_name(const struct bundle_entry *e, char *out, size_t cap)
{
	size_t n = strlen(e->path);
	if (n + 2 > cap)
		return 0;
	memcpy(out, e->path, n);
	if (S_ISDIR(e->mode))
		out[n++] = '/';
	out[n] = 0;
	return n;
}

#define NAME_MAX_ 0xffff

/* The local header; with zip64, both sizes go in its extra field (the
 * entry's size decides, known before its bytes are: a deflated entry is
 * smaller than the file or it is stored). */
static void put_local(struct out *o, const struct bundle_entry *e, const char *name, size_t namelen,
                      const struct zent *z)
{
	unsigned char h[30 + 20], *q = h;
	bool zip64 = z->usize >= U32_MAX_;
	put32(&q, SIG_LOCAL);
	put16(&q, version_needed(z, zip64));
	put16(&q, name_utf8(e->path) ? FLAG_UTF8 : 0);
	put16(&q, z->method);
	put16(&q, 0);
	put16(&q, DOS_DATE);
	put32(&q, z->crc);
	put32(&q, zip64 ? U32_MAX_ : (uint32_t)z->csize);
	put32(&q, zip64 ? U32_MAX_ : (uint32_t)z->usize);
	put16(&q, (unsigned)namelen);
	put16(&q, zip64 ? 20 : 0);
	out_put(o, h, 30);
	out_put(o, name, namelen);
	if (zip64) {
		q = h;
		put16(&q, 1);
		put16(&q, 16);
		put64(&q, z->usize);
		put64(&q, z->csize);
		out_put(o, h, 20);
	}
}

static void put_central(struct out *o, const struct bundle_entry *e, const char *name,
                        size_t namelen, const struct zent *z)
{
	unsigned char h[46], x[4 + 24], *q = h, *xq = x + 4;
	bool big_u = z->usize >= U32_MAX_, big_c = z->csize >= U32_MAX_, big_o = z->off >= U32_MAX_;
	size_t xlen;
	if (big_u)
		put64(&xq, z->usize);
	if (big_c)
		put64(&xq, z->csize);
	if (big_o)
		put64(&xq, z->off);
	xlen = (size_t)(xq - x);
	if (xlen > 4) {
		unsigned char *hq = x;
		put16(&hq, 1);
		put16(&hq, (unsigned)(xlen - 4));
	} else {
		xlen = 0;
	}
	put32(&q, SIG_CENTRAL);
	put16(&q, MADE_BY);
	/* as in the local header, which has the zip64 field when usize is big */
	put16(&q, version_needed(z, xlen > 0 || big_u));
	put16(&q, name_utf8(e->path) ? FLAG_UTF8 : 0);
	put16(&q, z->method);
	put16(&q, 0);
	put16(&q, DOS_DATE);
	put32(&q, z->crc);
	put32(&q, big_c ? U32_MAX_ : (uint32_t)z->csize);
	put32(&q, big_u ? U32_MAX_ : (uint32_t)z->usize);
	put16(&q, (unsigned)namelen);
	put16(&q, (unsigned)xlen);
	put16(&q, 0); /* comment */
	put16(&q, 0); /* disk */
	put16(&q, 0); /* internal attributes */
	put32(&q, external_attr(e->mode));
	put32(&q, big_o ? U32_MAX_ : (uint32_t)z->off);
	out_put(o, h, sizeof(h));
	out_put(o, name, namelen);
	out_put(o, x, xlen);
}

static void put_end(struct out *o, size_t n, uint64_t cd_off, uint64_t cd_size)
{
	unsigned char h[56 + 20 + 22], *q = h;
	bool zip64 = n >= 0xffff || cd_off >= U32_MAX_ || cd_size >= U32_MAX_;
	uint64_t end64 = o->pos;
	if (zip64) {
		put32(&q, SIG_END64);
		put64(&q, 44);
		put16(&q, MADE_BY);
		put16(&q, 45);
		put32(&q, 0);
		put32(&q, 0);
		put64(&q, n);
		put64(&q, n);
		put64(&q, cd_size);
		put64(&q, cd_off);
		put32(&q, SIG_LOC64);
		put32(&q, 0);
		put64(&q, end64);
		put32(&q, 1);
	}
	put32(&q, SIG_END);
	put16(&q, 0);
	put16(&q, 0);
	put16(&q, n >= 0xffff ? 0xffff : (unsigned)n);
	put16(&q, n >= 0xffff ? 0xffff : (unsigned)n);
	put32(&q, cd_size >= U32_MAX_ ? U32_MAX_ : (uint32_t)cd_size);
	put32(&q, cd_off >= U32_MAX_ ? U32_MAX_ : (uint32_t)cd_off);
	put16(&q, 0);
	out_put(o, h, (size_t)(q - h));
}

/* Patch the CRC and sizes of the local header at `off` (a streamed entry's,
 * known only after its bytes); the running hash of the output is dropped. */
static void patch_local(struct out *o, uint64_t off, size_t namelen, const struct zent *z)
{
	unsigned char h[16], *q = h;
	bool zip64 = z->usize >= U32_MAX_;
	out_flush(o);
	o->dg = NULL;
	put16(&q, z->method);
	put16(&q, 0);
	put16(&q, DOS_DATE);
	put32(&q, z->crc);
	put32(&q, zip64 ? U32_MAX_ : (uint32_t)z->csize);
	if (!o->err && pwrite(o->fd, h, 14, (off_t)off + 8) != 14)
		o->err = errno ? errno : EIO;
	if (zip64) {
		q = h;
		put64(&q, z->usize);
		put64(&q, z->csize);
		if (!o->err && pwrite(o->fd, h, 16, (off_t)(off + 30 + namelen + 4)) != 16)
			o->err = errno ? errno : EIO;
	}
}

#define STREAM_INTERRUPTED (-2) /* stream_large's error: SIGINT, SIGTERM or SIGHUP */

/* A file above LARGE_FILE, by the writer: stored as it is read, or
 * deflated through zlib's stream (its output goes to the file as it comes);
 * when deflate does not shrink it, the bytes are dropped and it is stored.
 * Checks for an interruption and reports progress once a chunk. */
static int stream_large(struct out *o, const struct pool *p, size_t i, const char *name,
                        size_t namelen, struct zent *z, struct bundle_progress *pr)
{
	const struct bundle_entry *e = &p->files->v[i];
	char *full = xasprintf("%s/%s", p->dir, e->path);
	unsigned char *in = NULL, *zout = NULL;
	z_stream zs;
	bool deflating = !bundle_store_by_name(e->path), zinit = false;
	uint64_t data_off, pr_start = pr->bytes_done;
	int err = 0, fd = open_listed(full, e, &err);
	free(full);
	if (fd < 0)
		return err;
	in = xmalloc(STREAM_CHUNK);
	zout = xmalloc(STREAM_CHUNK);
again:
	z->method = deflating ? 8 : 0;
	z->usize = e->size;
	z->crc = 0;
	z->csize = 0;
	put_local(o, e, name, namelen, z);
	data_off = o->pos;
	if (deflating) {
		memset(&zs, 0, sizeof(zs));
		if (deflateInit2(&zs, DEFLATE_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
		    Z_OK)
			die("cannot set up deflate");
		zinit = true;
	}
	{
		uint64_t got = 0;
		int flush = Z_NO_FLUSH;
		pr->bytes_done = pr_start;
		while (!err) {
			ssize_t r;
			if (interrupt_requested()) {
				err = STREAM_INTERRUPTED;
				break;
			}
			r = read_full(fd, in, STREAM_CHUNK);
			if (r < 0) {
				err = errno;
				break;
			}
			if (got + (uint64_t)r > e->size) {
				err = -1;
				break;
			}
			got += (uint64_t)r;
			if (r > 0) {
				pr->bytes_done = pr_start + got;
				progress(pr);
			}
			z->crc = (uint32_t)libdeflate_crc32(z->crc, in, (size_t)r);
			if (r == 0 && got != e->size) {
				err = -1;
				break;
			}
			if (!deflating) {
				out_put(o, in, (size_t)r);
				if (r == 0)
					break;
				continue;
			}
			flush = r == 0 ? Z_FINISH : Z_NO_FLUSH;
			zs.next_in = in;
			zs.avail_in = (uInt)r;
			do {
				int zr;
				zs.next_out = zout;
				zs.avail_out = STREAM_CHUNK;
				zr = deflate(&zs, flush);
				if (zr == Z_STREAM_ERROR)
					die("deflate failed");
				out_put(o, zout, STREAM_CHUNK - zs.avail_out);
			} while (zs.avail_out == 0);
			if (o->pos - data_off >= e->size)
				break; /* not shrinking: store it instead */
			if (flush == Z_FINISH)
				break;
		}
		if (!err && deflating && o->pos - data_off >= e->size) {
			deflateEnd(&zs);
			zinit = false;
			out_flush(o);
			o->dg = NULL;
			o->pos = z->off;
			if (!o->err && (ftruncate(o->fd, (off_t)o->pos) ||
			                lseek(o->fd, (off_t)o->pos, SEEK_SET) < 0))
				o->err = errno;
			if (lseek(fd, 0, SEEK_SET) < 0)
				err = errno;
			deflating = false;
			if (!err && !o->err)
				goto again;
		}
	}
	if (zinit)
		deflateEnd(&zs);
	close(fd);
	free(in);
	free(zout);
	if (err)
		return err;
	z->csize = o->pos - data_off;
	patch_local(o, z->off, namelen, z);
	return 0;
}

/* Why entry e could not go into the zip (err: an errno, or -1 when the file
 * changed), to sink; nothing for an interruption. */
static void report(const struct msgsink *sink, const char *dir, const struct bundle_entry *e,
                   int err)
{
	char *full;
	if (err == STREAM_INTERRUPTED)
		return; /* the caller says so, once */
	full = xasprintf("%s/%s", dir, e->path);
	if (err == -1)
		sink_error(
		    sink,
		    "'%s' changed while the bundle was written (replaced, or swapped for a link): "
		    "run again",
		    full);
	else
		sink_error(sink, "cannot read '%s': %s", full, strerror(err));
	free(full);
}

int bundle_zip_write(const char *dir, const struct bundle_files *files, const char *out_path,
                     struct file_digest *digest, const struct msgsink *sink)
{
	struct pool p;
	struct out o = {0};
	struct zent *ents;
	struct libdeflate_compressor *c = NULL;
	struct bundle_progress pr;
	pthread_t th[MAX_JOBS];
	unsigned jobs = bundle_jobs(), started = 0, t;
	char *tmp = xasprintf("%s.XXXXXX", out_path), name[NAME_MAX_ + 2];
	mode_t mask;
	size_t i;
	int rc = 0;
	uint64_t cd_off;

	for (i = 0; i < files->n; i++)
		if (!stored_name(&files->v[i], name, sizeof(name))) {
			sink_error(sink, "'%s/%s': the name is too long for a zip entry", dir,
			           files->v[i].path);
			free(tmp);
			return EBCTL_ERR_INVALID;
		}
	/* Loaded before the file is created: a missing libdeflate ends the
	 * command (naming the package) without leaving a temporary zip. */
	if (!(c = libdeflate_alloc_compressor(DEFLATE_LEVEL)))
		die("out of memory");
	o.fd = mkostemp(tmp, O_CLOEXEC);
	if (o.fd < 0) {
		sink_error(sink, "cannot create '%s': %s", out_path, strerror(errno));
		libdeflate_free_compressor(c);
		free(tmp);
		return EBCTL_ERR_INVALID;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(o.fd, 0666 & ~mask)) {
		sink_error(sink, "cannot create '%s': %s", out_path, strerror(errno));
		close(o.fd);
		unlink(tmp);
		libdeflate_free_compressor(c);
		free(tmp);
		return EBCTL_ERR_INVALID;
	}
	o.buf = xmalloc(OUT_BUF);
	o.dg = digest;
	ents = xcalloc(files->n ? files->n : 1, sizeof(*ents));
	memset(&pr, 0, sizeof(pr));
	pr.files = files->n;
	pr.started_ms = time_mono_ms();
	for (i = 0; i < files->n; i++)
		pr.bytes += files->v[i].size;

	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work_cv, NULL);
	pthread_cond_init(&p.done_cv, NULL);
	p.dir = dir;
	p.files = files;
	p.window = (size_t)jobs * WINDOW_PER_JOB;
	p.slots = xcalloc(p.window, sizeof(*p.slots));
	/* The writer compresses too when the next entry is not taken yet, so
	 * jobs threads in all: jobs - 1 workers. */
	for (t = 0; t + 1 < jobs && t + 1 < files->n; t++) {
		if (pthread_create(&th[t], NULL, worker, &p))
			break;
		started++;
	}

	pthread_mutex_lock(&p.mu);
	for (i = 0; i < files->n && !rc; i++) {
		struct slot *s = &p.slots[i % p.window];
		const struct bundle_entry *e = &files->v[i];
		size_t namelen, j;
		while (s->state == SLOT_EMPTY || s->state == SLOT_TAKEN) {
			if (take(&p, &j)) /* any entry, while the next is on its way */
				run_one(&p, j, &c);
			else if (s->state == SLOT_EMPTY)
				break; /* interrupted: no thread will take it */
			else
				pthread_cond_wait(&p.done_cv, &p.mu);
		}
		if (s->state == SLOT_EMPTY) {
			rc = EBCTL_ERR_INTERRUPTED;
			break;
		}
		pthread_mutex_unlock(&p.mu);
		namelen = stored_name(e, name, sizeof(name));
		ents[i].off = o.pos;
		if (s->state == SLOT_FAILED) {
			report(sink, dir, e, s->err);
			rc = EBCTL_ERR_INVALID;
		} else if (s->state == SLOT_WRITER) {
			int err = stream_large(&o, &p, i, name, namelen, &ents[i], &pr);
			if (err) {
				report(sink, dir, e, err);
				rc = err == STREAM_INTERRUPTED ? EBCTL_ERR_INTERRUPTED
				                               : EBCTL_ERR_INVALID;
			}
		} else {
			ents[i].crc = s->crc;
			ents[i].method = s->method;
			ents[i].csize = s->len;
			ents[i].usize = S_ISREG(e->mode) ? e->size : s->len;
			put_local(&o, e, name, namelen, &ents[i]);
			out_put(&o, s->data, s->len);
		}
		free(s->data);
		s->data = NULL;
		if (!rc && o.err) {
			sink_error(sink, "cannot write '%s': %s", out_path, strerror(o.err));
			rc = EBCTL_ERR_INVALID;
		}
		if (!rc && interrupt_requested())
			rc = EBCTL_ERR_INTERRUPTED;
		if (!rc) {
			pr.files_done = i + 1;
			pr.bytes_done += S_ISREG(e->mode) && s->state != SLOT_WRITER ? e->size : 0;
			progress(&pr);
		}
		pthread_mutex_lock(&p.mu);
		p.used -= s->cost;
		s->state = SLOT_EMPTY;
		p.next_write++;
		if (rc)
			p.stop = true;
		if (p.idle)
			pthread_cond_signal(&p.work_cv);
	}
	p.stop = true;
	pthread_cond_broadcast(&p.work_cv);
	pthread_mutex_unlock(&p.mu);
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	for (i = 0; i < p.window; i++)
		free(p.slots[i].data);
	free(p.slots);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.work_cv);
	pthread_cond_destroy(&p.done_cv);
	if (c)
		libdeflate_free_compressor(c);

	if (!rc) {
		cd_off = o.pos;
		for (i = 0; i < files->n; i++) {
			size_t namelen = stored_name(&files->v[i], name, sizeof(name));
			put_central(&o, &files->v[i], name, namelen, &ents[i]);
		}
		put_end(&o, files->n, cd_off, o.pos - cd_off);
		out_flush(&o);
		if (o.err) {
			sink_error(sink, "cannot write '%s': %s", out_path, strerror(o.err));
			rc = EBCTL_ERR_INVALID;
		}
	}
	if (close(o.fd) && !rc) {
		sink_error(sink, "cannot write '%s': %s", out_path, strerror(errno));
		rc = EBCTL_ERR_INVALID;
	}
	if (!rc && rename(tmp, out_path)) {
		sink_error(sink, "cannot create '%s': %s", out_path, strerror(errno));
		rc = EBCTL_ERR_INVALID;
	}
	if (rc)
		unlink(tmp);
	pr.finished = true;
	progress(&pr);
	if (digest) {
		/* a digest of bytes that were patched, or of a failed write, is
		 * none: empty, with the piece size the caller asked for */
		uint64_t piece = digest->piece_size;
		if (!rc && o.dg) {
			file_digest_final(digest);
		} else {
			file_digest_cleanup(digest);
			digest->piece_size = piece;
		}
	}
	free(ents);
	free(o.buf);
	free(tmp);
	return rc;
}

int bundle_write_zip(const char *dir, const struct bundle_files *files, const char *out_path,
                     const struct msgsink *sink)
{
	return bundle_zip_write(dir, files, out_path, NULL, sink);
}
