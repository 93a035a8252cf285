/*
 * Amazon S3: the object calls ebctl needs to store source bundles.
 * Virtual-hosted addressing on AWS, path style when AWS_ENDPOINT_URL(_S3)
 * points elsewhere (or the bucket name is not DNS-compatible). Uploads are
 * streamed from files: a file is never read whole into memory.
 */
#ifndef EBCTL_S3_H
#define EBCTL_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebctl/aws.h"

/* Bytes done out of total; called from the transfer loop, often. */
typedef void (*s3_progress_fn)(uint64_t done, uint64_t total, void *arg);

/* x-amz-meta-NAME: VALUE; name without the prefix, lower case. */
struct s3_meta {
	const char *name;
	const char *value;
};

struct s3_put_options {
	const char *content_type;   /* NULL: application/octet-stream */
	const struct s3_meta *meta; /* user metadata (e.g. {"sha256", hex}) */
	size_t nmeta;
	s3_progress_fn progress;
	void *progress_arg;
	/* The file's SHA-256 (hex) when the caller knows it: a single PUT signs
	 * it as its payload hash (S3 refuses a body that does not match it)
	 * instead of reading the file once more to hash it. NULL: hashed here. */
	const char *sha256_hex;
	/* Multipart (s3_upload_file): */
	uint64_t multipart_threshold; /* 0: 16 MiB; files this size and up go multipart */
	uint64_t part_size;           /* 0: 8 MiB (minimum 5 MiB, except the last part) */
	/* Each part's CRC32 when the caller took them (file_digest, pieces of
	 * part_size): used when they are as many as the parts, instead of a
	 * read of the file for them before anything is sent. */
	const uint32_t *part_crc32;
	size_t nparts_crc32;
	int parallel; /* 0: 4 parts in flight */
};

struct s3_put_result {
	char etag[80];        /* as S3 returned it, quotes included */
	char version_id[128]; /* "" when the bucket is not versioned */
	bool multipart;
};

struct s3_object_info {
	bool exists;
	uint64_t size;
	char etag[80];
	char content_type[128];
	int64_t last_modified; /* epoch seconds, 0 when unknown */
	char version_id[128];
	char *meta_sha256;    /* x-amz-meta-sha256, NULL when absent (owned) */
	struct s3_meta *meta; /* all x-amz-meta-* (owned, names lower case) */
	size_t nmeta;
};
void s3_object_info_cleanup(struct s3_object_info *i);

/*
 * HEAD the object. A missing object is not an error: returns 0 with
 * out->exists false. Returns -1 with err for anything else (403 included).
 */
int s3_head_object(struct aws_client *c, const char *bucket, const char *key,
                   struct s3_object_info *out, struct aws_error *err);

/* PUT a file in one request, streamed; its SHA-256 (o->sha256_hex, or
 * computed by reading it once first) is signed as the payload hash, which
 * S3 checks the body against. res may be NULL. */
int s3_put_file(struct aws_client *c, const char *bucket, const char *key, const char *path,
                const struct s3_put_options *o, struct s3_put_result *res, struct aws_error *err);

/* PUT a buffer in one request. */
int s3_put_buffer(struct aws_client *c, const char *bucket, const char *key, const void *data,
                  size_t len, const struct s3_put_options *o, struct s3_put_result *res,
                  struct aws_error *err);

/*
 * Multipart upload of a file: CreateMultipartUpload with the CRC32
 * checksum algorithm, UploadPart with up to o->parallel parts in flight
 * (curl multi), each read once into memory, its CRC32 taken from that
 * copy and sent as x-amz-checksum-crc32 with an UNSIGNED-PAYLOAD signature
 * (the headers are signed; S3 refuses a part whose bytes do not match the
 * checksum with BadDigest, and the part is read and sent again), then
 * CompleteMultipartUpload with each part's checksum; the composite
 * checksum S3 answers is checked against the parts'. On any failure the
 * upload is aborted so no parts are left behind. Memory is bounded by
 * parallel * part_size.
 */
int s3_multipart_upload_file(struct aws_client *c, const char *bucket, const char *key,
                             const char *path, const struct s3_put_options *o,
                             struct s3_put_result *res, struct aws_error *err);

/* s3_put_file below the threshold, s3_multipart_upload_file from it on. */
int s3_upload_file(struct aws_client *c, const char *bucket, const char *key, const char *path,
                   const struct s3_put_options *o, struct s3_put_result *res,
                   struct aws_error *err);

/* GET the object into a file (written to PATH.part, renamed when complete). */
int s3_get_object_to_file(struct aws_client *c, const char *bucket, const char *key,
                          const char *path, struct aws_error *err);
/* GET the object into out, at most max bytes (0 = unlimited). */
int s3_get_object(struct aws_client *c, const char *bucket, const char *key, struct buf *out,
                  size_t max, struct aws_error *err);

/* CopyObject within bucket, server side, its metadata along (no bytes are
 * uploaded). A failure reported in the body of a 200 is a failure. */
int s3_copy_object(struct aws_client *c, const char *bucket, const char *src_key,
                   const char *dst_key, struct aws_error *err);

/* DELETE the object (deleting a missing object succeeds, as in S3). */
int s3_delete_object(struct aws_client *c, const char *bucket, const char *key,
                     struct aws_error *err);

struct s3_upload {
	char *key;
	char *upload_id;
	int64_t initiated; /* epoch seconds */
};
struct s3_uploads {
	struct s3_upload *v;
	size_t n;
};
void s3_uploads_cleanup(struct s3_uploads *u);
/* Multipart uploads in progress under prefix (NULL = all), every page. */
int s3_list_multipart_uploads(struct aws_client *c, const char *bucket, const char *prefix,
                              struct s3_uploads *out, struct aws_error *err);
int s3_abort_multipart_upload(struct aws_client *c, const char *bucket, const char *key,
                              const char *upload_id, struct aws_error *err);

#endif
