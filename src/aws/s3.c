/*
 * Amazon S3 objects: head, put (streamed from a file, payload hash known or
 * computed by streaming), multipart with parallel parts through curl multi
 * (each part's CRC32 checked by S3), get, delete, and multipart housekeeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <openssl/evp.h>

#include "ebctl/s3.h"
#include "internal.h"

#define MIB          (1024u * 1024u)
#define S3_MAX_PARTS 10000

void s3_object_info_cleanup(struct s3_object_info *i)
{
	size_t k;
	if (!i)
		return;
	free(i->meta_sha256);
	for (k = 0; k < i->nmeta; k++) {
		free((char *)i->meta[k].name);
		free((char *)i->meta[k].value);
	}
	free(i->meta);
	memset(i, 0, sizeof(*i));
}

void s3_uploads_cleanup(struct s3_uploads *u)
{
	size_t k;
	if (!u)
		return;
	for (k = 0; k < u->n; k++) {
		free(u->v[k].key);
		free(u->v[k].upload_id);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}

/* Address bucket/key: virtual host on AWS, path style on an override. */
static int s3_request(struct aws_client *c, struct aws_request *r, const char *method,
                      const char *bucket, const char *key, const char *op, struct aws_error *err)
{
	struct buf path = BUF_INIT;
	char step[96];

	snprintf(step, sizeof(step), "s3 %s", op);
	aws_request_init(r, method, "s3", step);
	r->sign_flags = SIGV4_S3;
	if (!bucket || !*bucket) {
		aws_error_set(err, step, "InvalidBucketName", "no bucket name");
		return -1;
	}
	if (aws_endpoint_resolve("s3", c->region, &r->ep, err) != 0)
		return -1;
	if (!r->ep.custom && aws_s3_virtual_host_ok(bucket)) {
		/* bucket names are at most 63 bytes: the host fits */
		char *host = xasprintf("%s.%s", bucket, r->ep.host);
		snprintf(r->ep.host, sizeof(r->ep.host), "%s", host);
		snprintf(r->ep.url, sizeof(r->ep.url), "https://%s", host);
		free(host);
		buf_putc(&path, '/');
	} else {
		buf_putc(&path, '/');
		sigv4_uri_encode(&path, bucket, strlen(bucket), false);
		if (key)
			buf_putc(&path, '/');
	}
	if (key)
		sigv4_uri_encode(&path, key, strlen(key), true);
	r->path = buf_detach(&path, NULL);
	return 0;
}

static void add_put_headers(struct aws_request *r, const struct s3_put_options *o)
{
	size_t i;
	aws_request_header(r, "Content-Type",
	                   o && o->content_type ? o->content_type : "application/octet-stream");
	for (i = 0; o && i < o->nmeta; i++) {
		char *name = xasprintf("x-amz-meta-%s", o->meta[i].name);
		aws_request_header(r, name, o->meta[i].value);
		free(name);
	}
}

static void copy_header(char *dst, size_t n, const struct aws_response *resp, const char *name)
{
	const char *v = aws_response_header(resp, name);
	snprintf(dst, n, "%s", v ? v : "");
}

static void put_result(struct s3_put_result *res, const struct aws_response *resp, bool multipart)
{
	if (!res)
		return;
	memset(res, 0, sizeof(*res));
	copy_header(res->etag, sizeof(res->etag), resp, "ETag");
	copy_header(res->version_id, sizeof(res->version_id), resp, "x-amz-version-id");
	res->multipart = multipart;
}

int s3_head_object(struct aws_client *c, const char *bucket, const char *key,
                   struct s3_object_info *out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	const char *v;
	size_t i;
	int rc = -1;

	aws_error_clear(err);
	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "HEAD", bucket, key, "HeadObject", err) != 0)
		goto out;
	req.head = true;
	if (aws_send(c, &req, &resp, err) != 0) {
		if (resp.status == 404) {
			aws_error_clear(err);
			rc = 0;
		}
		goto out;
	}
	out->exists = true;
	if ((v = aws_response_header(&resp, "Content-Length")))
		out->size = strtoull(v, NULL, 10);
	copy_header(out->etag, sizeof(out->etag), &resp, "ETag");
	copy_header(out->content_type, sizeof(out->content_type), &resp, "Content-Type");
	copy_header(out->version_id, sizeof(out->version_id), &resp, "x-amz-version-id");
	if ((v = aws_response_header(&resp, "Last-Modified"))) {
		time_t t = curl_getdate(v, NULL);
		out->last_modified = t == (time_t)-1 ? 0 : (int64_t)t;
	}
	for (i = 0; i < resp.nheaders; i++) {
		const char *name = resp.headers[i].name;
		if (strncasecmp(name, "x-amz-meta-", 11) == 0) {
			char *lower = xstrdup(name + 11);
			char *p;
			for (p = lower; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			out->meta = xrealloc(out->meta, (out->nmeta + 1) * sizeof(*out->meta));
			out->meta[out->nmeta].name = lower;
			out->meta[out->nmeta].value = xstrdup(resp.headers[i].value);
			out->nmeta++;
			if (strcmp(lower, "sha256") == 0 && !out->meta_sha256)
				out->meta_sha256 = xstrdup(resp.headers[i].value);
		}
	}
	rc = 0;
out:
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

/* Hand len bytes of fd from offset to fn, read in 64 KiB chunks: a larger
 * buffer, out of the cache, costs the kernel several times more per byte
 * to fill. Returns 0, 1 when the file ends sooner, or -1 with errno. */
static int read_range(int fd, uint64_t offset, uint64_t len,
                      void (*fn)(void *arg, const unsigned char *p, size_t n), void *arg)
{
	unsigned char chunk[65536];
	uint64_t done = 0;
	while (done < len) {
		size_t want = len - done < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
		ssize_t got = pread(fd, chunk, want, (off_t)(offset + done));
		if (got <= 0)
			return got == 0 ? 1 : -1;
		fn(arg, chunk, (size_t)got);
		done += (uint64_t)got;
	}
	return 0;
}

static void sha_add(void *arg, const unsigned char *p, size_t n)
{
	EVP_DigestUpdate(arg, p, n);
}

/* SHA-256 (hex) of len bytes of fd from offset, streamed: the payload hash
 * that signs the PUT, which S3 checks the body against. */
static int hash_range(int fd, uint64_t offset, uint64_t len, char sha_hex[65])
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	unsigned char dsha[32];
	int rc = -1;

	if (!sha || !EVP_DigestInit_ex(sha, EVP_sha256(), NULL))
		goto out;
	if ((rc = read_range(fd, offset, len, sha_add, sha)) != 0) {
		if (rc > 0)
			errno = EIO;
		rc = -1;
		goto out;
	}
	EVP_DigestFinal_ex(sha, dsha, NULL);
	hex_encode(dsha, sizeof(dsha), sha_hex);
	rc = 0;
out:
	EVP_MD_CTX_free(sha);
	return rc;
}

static void md5_of(const void *data, size_t len, char b64[25], char hex[33])
{
	unsigned char d[16];
	unsigned int n = 0;
	EVP_Digest(data, len, d, &n, EVP_md5(), NULL);
	EVP_EncodeBlock((unsigned char *)b64, d, sizeof(d));
	if (hex)
		hex_encode(d, sizeof(d), hex);
}

struct progress_ctx {
	const struct s3_put_options *o;
	uint64_t total;
};

static void put_progress(uint64_t sent, void *arg)
{
	struct progress_ctx *p = arg;
	p->o->progress(sent, p->total, p->o->progress_arg);
}

static int open_file(const char *path, const char *step, int *fd, uint64_t *size,
                     struct aws_error *err)
{
	struct stat st;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = *fd < 0 ? errno : S_ISREG(st.st_mode) ? errno : EINVAL;
		aws_error_set(err, step, "IOError", "cannot read '%s': %s", path,
		              e == EINVAL ? "not a regular file" : strerror(e));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int s3_put_file(struct aws_client *c, const char *bucket, const char *key, const char *path,
                const struct s3_put_options *o, struct s3_put_result *res, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct progress_ctx pc;
	uint64_t size = 0;
	int fd = -1, rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	memset(&req, 0, sizeof(req));
	req.fd = -1;
	if (open_file(path, "s3 PutObject", &fd, &size, err) != 0)
		goto out;
	if (s3_request(c, &req, "PUT", bucket, key, "PutObject", err) != 0)
		goto out;
	/* a hash the caller took already is not taken again */
	if (o && o->sha256_hex && strlen(o->sha256_hex) == 64) {
		snprintf(req.payload_hash, sizeof(req.payload_hash), "%s", o->sha256_hex);
	} else if (hash_range(fd, 0, size, req.payload_hash) != 0) {
		aws_error_set(err, req.step, "IOError", "cannot read '%s': %s", path,
		              strerror(errno));
		goto out;
	}
	add_put_headers(&req, o);
	req.body_kind = AWS_BODY_FILE;
	req.fd = fd;
	req.offset = 0;
	req.length = size;
	if (o && o->progress) {
		pc.o = o;
		pc.total = size;
		req.progress = put_progress;
		req.progress_arg = &pc;
	}
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	put_result(res, &resp, false);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int s3_put_buffer(struct aws_client *c, const char *bucket, const char *key, const void *data,
                  size_t len, const struct s3_put_options *o, struct s3_put_result *res,
                  struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	char md5[25];
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "PUT", bucket, key, "PutObject", err) != 0)
		goto out;
	add_put_headers(&req, o);
	md5_of(data, len, md5, NULL);
	aws_request_header(&req, "Content-MD5", md5);
	req.body_kind = AWS_BODY_MEM;
	req.body = data;
	req.body_len = len;
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	put_result(res, &resp, false);
	rc = 0;
out:
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

/* ---- multipart ---- */

/* S3's form of a CRC32: the four bytes, big-endian, in base64. */
static void crc32_b64(uint32_t crc, char out[9])
{
	unsigned char be[4] = {(unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
	                       (unsigned char)(crc >> 8), (unsigned char)crc};
	EVP_EncodeBlock((unsigned char *)out, be, sizeof(be));
}

static int create_upload_once(struct aws_client *c, const char *bucket, const char *key,
                              const struct s3_put_options *o, char **upload_id,
                              struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	xmlDocPtr doc = NULL;
	int rc = -1;

	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "POST", bucket, key, "CreateMultipartUpload", err) != 0)
		goto out;
	req.query = xstrdup("uploads");
	add_put_headers(&req, o);
	/* every part then carries its CRC32, which S3 checks */
	aws_request_header(&req, "x-amz-checksum-algorithm", "CRC32");
	/* an upload we cannot see the id of would be orphaned: send it once */
	req.idem = AWS_NOT_IDEMPOTENT;
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	doc = aws_xml_parse(resp.body.ptr, resp.body.len);
	*upload_id = doc ? aws_xml_text(xmlDocGetRootElement(doc), "UploadId") : NULL;
	if (!*upload_id || !**upload_id) {
		free(*upload_id);
		*upload_id = NULL;
		aws_error_set(err, req.step, "InvalidResponse", "the response has no UploadId");
		goto out;
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

/* The newest upload in progress of exactly this key, into *upload_id
 * (caller frees). Returns 1 found, 0 none, -1 when the uploads cannot be
 * listed. */
static int find_upload(struct aws_client *c, const char *bucket, const char *key, char **upload_id)
{
	struct s3_uploads u;
	struct aws_error e2;
	const struct s3_upload *best = NULL;
	/* The listing asks for the key's first path segment: S3-compatible
	 * servers (moto among them) mis-verify the signature of a '/' encoded
	 * in the query. The key itself is matched below. */
	size_t seg = strcspn(key, "/"), i;
	char *prefix = xstrndup(key, seg);
	int rc = s3_list_multipart_uploads(c, bucket, prefix, &u, &e2);
	free(prefix);
	if (rc != 0)
		return -1;
	for (i = 0; i < u.n; i++)
		if (u.v[i].key && strcmp(u.v[i].key, key) == 0 && u.v[i].upload_id &&
		    (!best || u.v[i].initiated >= best->initiated))
			best = &u.v[i];
	if (best)
		*upload_id = xstrdup(best->upload_id);
	s3_uploads_cleanup(&u);
	return best != NULL;
}

/*
 * CreateMultipartUpload, never leaving an upload behind that we do not
 * know the id of (it would stay open, and cost storage, for good). When
 * the outcome is unknown (no answer, or a 500 that may have come after
 * the upload was created), the key's uploads in progress say what
 * happened: none means nothing was created and the request goes out
 * again; otherwise the newest is used. The key names the bundle's
 * content, so any upload of it, ours or one an earlier run left open,
 * ends as the same object: its parts are all sent again.
 */
static int create_upload(struct aws_client *c, const char *bucket, const char *key,
                         const struct s3_put_options *o, char **upload_id, struct aws_error *err)
{
	int attempt, sent = 0; /* requests in all, for the message */
	for (attempt = 1;; attempt++) {
		int found;
		if (create_upload_once(c, bucket, key, o, upload_id, err) == 0)
			return 0;
		aws_error_add_attempts(err, &sent);
		if (!err->unknown_outcome)
			return -1;
		debugf("CreateMultipartUpload: no clear answer, looking for an upload of '%s'",
		       key);
		found = find_upload(c, bucket, key, upload_id);
		if (found == 1) {
			debugf("CreateMultipartUpload: using upload %s of the key", *upload_id);
			aws_error_clear(err);
			return 0;
		}
		if (found < 0 || attempt >= c->max_attempts || aws_backoff_sleep(c, attempt) != 0)
			return -1;
	}
}

static char *upload_query(const char *upload_id, int part)
{
	struct buf q = BUF_INIT;
	if (part > 0)
		buf_printf(&q, "partNumber=%d&", part);
	buf_puts(&q, "uploadId=");
	sigv4_uri_encode(&q, upload_id, strlen(upload_id), false);
	return buf_detach(&q, NULL);
}

int s3_abort_multipart_upload(struct aws_client *c, const char *bucket, const char *key,
                              const char *upload_id, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "DELETE", bucket, key, "AbortMultipartUpload", err) == 0) {
		req.query = upload_query(upload_id, 0);
		rc = aws_send(c, &req, &resp, err);
		/* already gone is what we wanted */
		if (rc != 0 && strcmp(err->code, "NoSuchUpload") == 0) {
			aws_error_clear(err);
			rc = 0;
		}
	}
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

struct part_slot {
	bool busy;              /* a part is assigned */
	bool running;           /* its transfer is in the multi handle */
	int part;               /* 1-based */
	struct aws_retry retry; /* aws_retry_next's count of its attempts */
	int requests;           /* sent, retries after a skew or a renewal included */
	int64_t not_before;     /* monotonic ms: backoff */
	size_t len;
	CURL *h;
	struct aws_request req;
	struct aws_response resp;
	struct aws_xfer x;
};

struct mp_state {
	struct aws_client *c;
	const char *bucket, *key, *upload_id;
	int fd;
	uint64_t size, part_size;
	int nparts;
	char (*etags)[80];
	uint32_t *crcs; /* each part's CRC32, the caller's or from part_crcs */
	uint64_t done_bytes;
};

/* Each part's CRC32, in one read of the file before anything is sent, in
 * chunks the cache holds. A part resent after S3 found it damaged on the
 * way is read from the file again and checked against the same CRC; a file
 * that changes after this pass is refused by S3 (BadDigest) rather than
 * stored. */
static void crc_add(void *arg, const unsigned char *p, size_t n)
{
	uint32_t *crc = arg;
	*crc = libdeflate_crc32(*crc, p, n);
}

/* Part `part`'s (1-based) offset in the file, and its length. */
static uint64_t part_range(const struct mp_state *m, int part, uint64_t *len)
{
	uint64_t off = (uint64_t)(part - 1) * m->part_size;
	*len = m->size - off < m->part_size ? m->size - off : m->part_size;
	return off;
}

static int part_crcs(struct mp_state *m, const char *path, struct aws_error *err)
{
	int i, r;
	for (i = 1; i <= m->nparts; i++) {
		uint64_t len, off = part_range(m, i, &len);
		if (aws_client_interrupted(m->c)) {
			aws_error_interrupted(err, "s3 UploadPart");
			return -1;
		}
		r = read_range(m->fd, off, len, crc_add, &m->crcs[i - 1]);
		if (r != 0) {
			aws_error_set(err, "s3 UploadPart", "IOError", "cannot read '%s': %s", path,
			              r > 0 ? "file shrank" : strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int slot_start(struct mp_state *m, struct part_slot *s, CURLM *multi, struct aws_error *err)
{
	uint64_t len, off = part_range(m, s->part, &len);
	char crc[9];

	s->len = (size_t)len;
	aws_request_cleanup(&s->req);
	if (s3_request(m->c, &s->req, "PUT", m->bucket, m->key, "UploadPart", err) != 0)
		return -1;
	s->req.query = upload_query(m->upload_id, s->part);
	/* The part's CRC32 is S3's integrity check of it (BadDigest): a signed
	 * SHA-256 of the payload would cost a second hash of every byte, after
	 * the whole file's, for the same guarantee. The headers, the checksum
	 * among them, are still signed. */
	crc32_b64(m->crcs[s->part - 1], crc);
	aws_request_header(&s->req, "x-amz-checksum-crc32", crc);
	aws_request_header(&s->req, "x-amz-sdk-checksum-algorithm", "CRC32");
	snprintf(s->req.payload_hash, sizeof(s->req.payload_hash), "UNSIGNED-PAYLOAD");
	/* read from the file as curl sends it, in its small buffer: no copy
	 * of the part in memory (a part-sized buffer costs the kernel several
	 * times more per byte to fill, out of the cache) */
	s->req.body_kind = AWS_BODY_FILE;
	s->req.fd = m->fd;
	s->req.offset = off;
	s->req.length = s->len;
	if (aws_xfer_setup(m->c, s->h, &s->req, &s->resp, &s->x, err) != 0)
		return -1;
	s->retry.tries++;
	s->requests++;
	s->running = true;
	curl_multi_add_handle(multi, s->h);
	return 0;
}

/* A finished part: 1 done, 0 to retry, -1 failed. */
static int slot_finish(struct mp_state *m, struct part_slot *s, CURLcode rc, struct aws_error *err)
{
	enum aws_verdict v = aws_xfer_finish(&s->x, rc, err);
	unsigned long wait_ms;
	const char *etag;
	s->running = false;
	err->attempts = s->requests;
	switch (aws_retry_next(m->c, &s->retry, v, &s->x, &s->resp, &wait_ms, err)) {
	case AWS_NEXT_DONE: break;
	case AWS_NEXT_FAIL: return -1;
	case AWS_NEXT_NOW: s->not_before = 0; return 0;
	case AWS_NEXT_BACKOFF: s->not_before = time_mono_ms() + (int64_t)wait_ms; return 0;
	}
	etag = aws_response_header(&s->resp, "ETag");
	if (!etag || !*etag) {
		aws_error_set(err, "s3 UploadPart", "InvalidResponse",
		              "part %d: no ETag in the response", s->part);
		return -1;
	}
	snprintf(m->etags[s->part - 1], sizeof(m->etags[0]), "%s", etag);
	m->done_bytes += s->len;
	s->busy = false;
	return 1;
}

static int upload_parts(struct mp_state *m, int parallel, const struct s3_put_options *o,
                        struct aws_error *err)
{
	struct part_slot *slots = xcalloc((size_t)parallel, sizeof(*slots));
	CURLM *multi = curl_multi_init();
	int next = 1, completed = 0, i, rc = -1;

	if (!multi)
		die("out of memory");
	for (i = 0; i < parallel; i++) {
		slots[i].h = aws_client_handle(m->c);
		slots[i].req.fd = -1;
		if (!slots[i].h)
			die("out of memory");
	}
	while (completed < m->nparts) {
		int running = 0, left;
		uint64_t inflight = 0;
		CURLMsg *msg;
		int64_t now = time_mono_ms();

		if (aws_client_interrupted(m->c)) {
			aws_error_interrupted(err, "s3 UploadPart");
			goto out;
		}
		for (i = 0; i < parallel; i++) {
			struct part_slot *s = &slots[i];
			if (!s->busy && next <= m->nparts) {
				s->busy = true;
				s->part = next++;
				memset(&s->retry, 0, sizeof(s->retry));
				s->retry.max = m->c->max_attempts;
				/* parts are idempotent: a resent part replaces the earlier one */
				s->retry.retry_unknown = true;
				s->requests = 0;
				s->not_before = 0;
			}
			if (s->busy && !s->running && s->not_before <= now &&
			    slot_start(m, s, multi, err) != 0)
				goto out;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < parallel; i++) {
				struct part_slot *s = &slots[i];
				int r;
				if (!s->running || s->h != msg->easy_handle)
					continue;
				curl_multi_remove_handle(multi, s->h);
				r = slot_finish(m, s, msg->data.result, err);
				if (r < 0)
					goto out;
				if (r > 0)
					completed++;
				break;
			}
		}
		if (o && o->progress) {
			for (i = 0; i < parallel; i++)
				if (slots[i].running)
					inflight += slots[i].x.pos;
			o->progress(m->done_bytes + inflight, m->size, o->progress_arg);
		}
		if (completed < m->nparts)
			curl_multi_poll(multi, NULL, 0, 50, NULL);
	}
	rc = 0;
out:
	for (i = 0; i < parallel; i++) {
		if (slots[i].running) {
			curl_multi_remove_handle(multi, slots[i].h);
			curl_slist_free_all(slots[i].x.hdrs);
		}
		curl_easy_cleanup(slots[i].h);
		aws_request_cleanup(&slots[i].req);
		aws_response_cleanup(&slots[i].resp);
	}
	curl_multi_cleanup(multi);
	free(slots);
	return rc;
}

/* The XML answer of a 200 that S3 may use to report a failure
 * (CompleteMultipartUpload, CopyObject): the document, or NULL with err. */
static xmlDocPtr ok_body(const struct aws_request *req, const struct aws_response *resp,
                         struct aws_error *err)
{
	xmlDocPtr doc = aws_xml_parse(resp->body.ptr, resp->body.len);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root && strcmp((const char *)root->name, "Error") != 0)
		return doc;
	if (root)
		aws_xml_parse_error(resp->body.ptr, resp->body.len, err);
	else
		aws_error_set(err, req->step, "InvalidResponse", "the response is not valid XML");
	snprintf(err->step, sizeof(err->step), "%s", req->step);
	xmlFreeDoc(doc);
	return NULL;
}

/* The checksum S3 gives an object of parts uploaded with CRC32s: the CRC32
 * of the parts' checksums (their bytes, one after the other), then "-" and
 * the number of parts. */
static void composite_crc32(const struct mp_state *m, char *out, size_t n)
{
	uint32_t crc = 0;
	char b64[9];
	int i;
	for (i = 0; i < m->nparts; i++) {
		unsigned char be[4] = {(unsigned char)(m->crcs[i] >> 24),
		                       (unsigned char)(m->crcs[i] >> 16),
		                       (unsigned char)(m->crcs[i] >> 8), (unsigned char)m->crcs[i]};
		crc = libdeflate_crc32(crc, be, sizeof(be));
	}
	crc32_b64(crc, b64);
	snprintf(out, n, "%s-%d", b64, m->nparts);
}

/* Returns 0 completed, -1 failed with err; *damaged when S3 completed the
 * object with another checksum than that of the parts sent. */
static int complete_upload(struct mp_state *m, struct s3_put_result *res, bool *damaged,
                           struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct buf body = BUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char *got = NULL, want[32], crc[9];
	int i, rc = -1;

	memset(&resp, 0, sizeof(resp));
	*damaged = false;
	buf_puts(&body,
	         "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (i = 0; i < m->nparts; i++) {
		crc32_b64(m->crcs[i], crc);
		buf_printf(&body,
		           "<Part><ETag>%s</ETag><ChecksumCRC32>%s</ChecksumCRC32>"
		           "<PartNumber>%d</PartNumber></Part>",
		           m->etags[i], crc, i + 1);
	}
	buf_puts(&body, "</CompleteMultipartUpload>");
	if (s3_request(m->c, &req, "POST", m->bucket, m->key, "CompleteMultipartUpload", err) != 0)
		goto out;
	req.query = upload_query(m->upload_id, 0);
	req.body_kind = AWS_BODY_MEM;
	req.body = body.ptr;
	req.body_len = body.len;
	aws_request_header(&req, "Content-Type", "application/xml");
	/* completing twice answers NoSuchUpload: send once, check below */
	req.idem = AWS_NOT_IDEMPOTENT;
	if (aws_send(m->c, &req, &resp, err) != 0)
		goto out;
	/* S3 may answer 200 and report the failure in the body */
	if (!(doc = ok_body(&req, &resp, err)))
		goto out;
	root = xmlDocGetRootElement(doc);
	/* End to end: the object S3 assembled has the parts' checksums. */
	composite_crc32(m, want, sizeof(want));
	got = aws_xml_text(root, "ChecksumCRC32");
	if (got && strcmp(got, want) != 0) {
		aws_error_set(err, req.step, "BadDigest",
		              "the object's CRC32 checksum is %s, not %s as the parts sent", got,
		              want);
		*damaged = true;
		goto out;
	}
	if (res) {
		char *etag = aws_xml_text(root, "ETag");
		memset(res, 0, sizeof(*res));
		snprintf(res->etag, sizeof(res->etag), "%s", etag ? etag : "");
		copy_header(res->version_id, sizeof(res->version_id), &resp, "x-amz-version-id");
		res->multipart = true;
		free(etag);
	}
	rc = 0;
out:
	free(got);
	xmlFreeDoc(doc);
	buf_cleanup(&body);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

/* After a Complete whose answer was lost: did it complete? The object then
 * exists with a multipart ETag ending in -<number of parts>. */
static bool completed_anyway(struct mp_state *m, struct s3_put_result *res)
{
	struct s3_object_info info;
	struct aws_error e;
	char suffix[16];
	bool ok;
	snprintf(suffix, sizeof(suffix), "-%d\"", m->nparts);
	if (s3_head_object(m->c, m->bucket, m->key, &info, &e) != 0)
		return false;
	ok = info.exists && info.size == m->size && str_ends_with(info.etag, suffix);
	if (ok && res) {
		memset(res, 0, sizeof(*res));
		snprintf(res->etag, sizeof(res->etag), "%s", info.etag);
		snprintf(res->version_id, sizeof(res->version_id), "%s", info.version_id);
		res->multipart = true;
	}
	s3_object_info_cleanup(&info);
	return ok;
}

int s3_multipart_upload_file(struct aws_client *c, const char *bucket, const char *key,
                             const char *path, const struct s3_put_options *o,
                             struct s3_put_result *res, struct aws_error *err)
{
	struct mp_state m;
	char *upload_id = NULL;
	int parallel = o && o->parallel > 0 ? o->parallel : 4;
	int rc = -1, attempt, sent = 0; /* Complete requests in all, for the message */
	bool damaged = false;

	aws_error_clear(err);
	memset(&m, 0, sizeof(m));
	m.fd = -1;
	m.c = c;
	m.bucket = bucket;
	m.key = key;
	m.part_size = o && o->part_size ? o->part_size : 8 * MIB;
	if (m.part_size < 5 * MIB)
		m.part_size = 5 * MIB;
	if (parallel > 16)
		parallel = 16;
	if (open_file(path, "s3 UploadPart", &m.fd, &m.size, err) != 0)
		return -1;
	/* S3 allows 10000 parts: grow the parts for huge files */
	while ((m.size + m.part_size - 1) / m.part_size > S3_MAX_PARTS)
		m.part_size *= 2;
	m.nparts = m.size ? (int)((m.size + m.part_size - 1) / m.part_size) : 1;
	if (parallel > m.nparts)
		parallel = m.nparts;
	m.etags = xcalloc((size_t)m.nparts, sizeof(*m.etags));
	m.crcs = xcalloc((size_t)m.nparts, sizeof(*m.crcs));

	if (o && o->part_crc32 && o->part_size == m.part_size &&
	    o->nparts_crc32 == (size_t)m.nparts)
		memcpy(m.crcs, o->part_crc32, (size_t)m.nparts * sizeof(*m.crcs));
	else if (part_crcs(&m, path, err) != 0)
		goto out;
	if (create_upload(c, bucket, key, o, &upload_id, err) != 0)
		goto out;
	m.upload_id = upload_id;
	debugf("multipart upload of '%s': %d parts of %llu bytes, %d in parallel", path, m.nparts,
	       (unsigned long long)m.part_size, parallel);
	if (upload_parts(&m, parallel, o, err) != 0)
		goto abort;
	/* After an unknown outcome the object says whether the upload was
	 * completed; if not, it is still open and completing it again is safe. */
	for (attempt = 1; complete_upload(&m, res, &damaged, err) != 0; attempt++) {
		aws_error_add_attempts(err, &sent);
		if (damaged) {
			/* not an object to keep under a key that names its content */
			struct aws_error e2;
			if (s3_delete_object(c, bucket, key, &e2) != 0)
				sink_warn(c->sink, "could not delete the damaged object '%s'", key);
			goto out;
		}
		if (!err->unknown_outcome)
			goto abort;
		if (completed_anyway(&m, res))
			break;
		if (attempt >= c->max_attempts || aws_backoff_sleep(c, attempt) != 0)
			goto abort;
	}
	aws_error_clear(err);
	rc = 0;
	goto out;
abort : {
	/* never leave parts behind: they cost storage until aborted */
	struct aws_error e2;
	volatile sig_atomic_t *saved = c->interrupted;
	int64_t deadline = c->deadline_ms;
	/* the abort must go out even after SIGINT, or after the deadline */
	c->interrupted = NULL;
	c->deadline_ms = 0;
	if (s3_abort_multipart_upload(c, bucket, key, upload_id, &e2) != 0) {
		char msg[1200];
		sink_warn(c->sink, "could not abort the multipart upload %s of '%s': %s", upload_id,
		          key, aws_error_format(&e2, msg, sizeof(msg)));
	}
	c->interrupted = saved;
	c->deadline_ms = deadline;
}
out:
	free(upload_id);
	free(m.etags);
	free(m.crcs);
	if (m.fd >= 0)
		close(m.fd);
	return rc;
}

int s3_upload_file(struct aws_client *c, const char *bucket, const char *key, const char *path,
                   const struct s3_put_options *o, struct s3_put_result *res, struct aws_error *err)
{
	struct stat st;
	uint64_t threshold = o && o->multipart_threshold ? o->multipart_threshold : 16 * MIB;
	if (stat(path, &st) != 0) {
		aws_error_set(err, "s3 PutObject", "IOError", "cannot read '%s': %s", path,
		              strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size >= threshold)
		return s3_multipart_upload_file(c, bucket, key, path, o, res, err);
	return s3_put_file(c, bucket, key, path, o, res, err);
}

/* ---- get, delete, list ---- */

static int get_object(struct aws_client *c, const char *bucket, const char *key, FILE *sink,
                      struct buf *out, size_t max, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "GET", bucket, key, "GetObject", err) != 0)
		goto out;
	req.sink = sink;
	req.max_body = max;
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	if (out)
		buf_add(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	rc = 0;
out:
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int s3_get_object(struct aws_client *c, const char *bucket, const char *key, struct buf *out,
                  size_t max, struct aws_error *err)
{
	return get_object(c, bucket, key, NULL, out, max, err);
}

int s3_get_object_to_file(struct aws_client *c, const char *bucket, const char *key,
                          const char *path, struct aws_error *err)
{
	char *tmp = xasprintf("%s.part", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;

	if (!f) {
		aws_error_set(err, "s3 GetObject", "IOError", "cannot create '%s': %s", tmp,
		              strerror(errno));
		goto out;
	}
	rc = get_object(c, bucket, key, f, NULL, 0, err);
	if (fclose(f) != 0 && rc == 0) {
		aws_error_set(err, "s3 GetObject", "IOError", "cannot write '%s': %s", tmp,
		              strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		aws_error_set(err, "s3 GetObject", "IOError", "cannot rename '%s': %s", tmp,
		              strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
out:
	free(tmp);
	return rc;
}

int s3_delete_object(struct aws_client *c, const char *bucket, const char *key,
                     struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "DELETE", bucket, key, "DeleteObject", err) == 0)
		rc = aws_send(c, &req, &resp, err);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int s3_list_multipart_uploads(struct aws_client *c, const char *bucket, const char *prefix,
                              struct s3_uploads *out, struct aws_error *err)
{
	char *key_marker = NULL, *id_marker = NULL, *sent = NULL, *next = NULL;
	int rc = -1, pages = 0;

	aws_error_clear(err);
	memset(out, 0, sizeof(out[0]));
	for (;;) {
		struct aws_request req;
		struct aws_response resp;
		struct buf q = BUF_INIT;
		xmlDocPtr doc = NULL;
		xmlNodePtr root, u;
		char *trunc;
		bool more;

		memset(&resp, 0, sizeof(resp));
		free(sent);
		sent = next;
		next = NULL;
		if (s3_request(c, &req, "GET", bucket, NULL, "ListMultipartUploads", err) != 0) {
			aws_request_cleanup(&req);
			break;
		}
		buf_puts(&q, "uploads");
		if (key_marker) {
			buf_puts(&q, "&key-marker=");
			sigv4_uri_encode(&q, key_marker, strlen(key_marker), false);
			buf_puts(&q, "&upload-id-marker=");
			sigv4_uri_encode(&q, id_marker ? id_marker : "",
			                 id_marker ? strlen(id_marker) : 0, false);
		}
		if (prefix) {
			buf_puts(&q, "&prefix=");
			sigv4_uri_encode(&q, prefix, strlen(prefix), false);
		}
		req.query = buf_detach(&q, NULL);
		if (aws_send(c, &req, &resp, err) != 0 ||
		    !(doc = aws_xml_parse(resp.body.ptr, resp.body.len))) {
			if (!err->code[0])
				aws_error_set(err, req.step, "InvalidResponse",
				              "the response is not valid XML");
			aws_request_cleanup(&req);
			aws_response_cleanup(&resp);
			break;
		}
		root = xmlDocGetRootElement(doc);
		for (u = aws_xml_child(root, "Upload"); u; u = aws_xml_next(u)) {
			char *init = aws_xml_text(u, "Initiated");
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n].key = aws_xml_text(u, "Key");
			out->v[out->n].upload_id = aws_xml_text(u, "UploadId");
			out->v[out->n].initiated = init ? time_parse_iso8601(init) : 0;
			if (!out->v[out->n].key)
				out->v[out->n].key = xstrdup("");
			if (!out->v[out->n].upload_id)
				out->v[out->n].upload_id = xstrdup("");
			out->n++;
			free(init);
		}
		trunc = aws_xml_text(root, "IsTruncated");
		more = trunc && strcmp(trunc, "true") == 0;
		free(trunc);
		free(key_marker);
		free(id_marker);
		key_marker = aws_xml_text(root, "NextKeyMarker");
		id_marker = aws_xml_text(root, "NextUploadIdMarker");
		xmlFreeDoc(doc);
		aws_request_cleanup(&req);
		aws_response_cleanup(&resp);
		/* The two markers are the token: the pair sent again would loop for ever. */
		if (key_marker)
			next = xasprintf("%s\n%s", key_marker, id_marker ? id_marker : "");
		if (!more || !page_follow(sent, next, &pages, PAGES_MAX)) {
			rc = 0;
			break;
		}
	}
	free(sent);
	free(next);
	free(key_marker);
	free(id_marker);
	if (rc != 0)
		s3_uploads_cleanup(out);
	return rc;
}

int s3_copy_object(struct aws_client *c, const char *bucket, const char *src_key,
                   const char *dst_key, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct buf source = BUF_INIT;
	xmlDocPtr doc = NULL;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	if (s3_request(c, &req, "PUT", bucket, dst_key, "CopyObject", err) != 0)
		goto out;
	buf_putc(&source, '/');
	sigv4_uri_encode(&source, bucket, strlen(bucket), false);
	buf_putc(&source, '/');
	sigv4_uri_encode(&source, src_key, strlen(src_key), true);
	/* the metadata (x-amz-meta-sha256) goes along: COPY is S3's default */
	aws_request_header(&req, "x-amz-copy-source", buf_cstr(&source));
	aws_request_header(&req, "x-amz-metadata-directive", "COPY");
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	/* like CompleteMultipartUpload, a copy may fail after its 200 */
	if ((doc = ok_body(&req, &resp, err)))
		rc = 0;
out:
	xmlFreeDoc(doc);
	buf_cleanup(&source);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}
