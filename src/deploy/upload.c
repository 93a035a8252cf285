/* Storing the bundle in S3: content-addressed, uploaded once. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/s3.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

#define MULTIPART_FROM (8ULL << 20)
#define PARALLEL_PARTS 4

void deploy_format_size(uint64_t n, char *out, size_t len)
{
	if (n < 1024)
		snprintf(out, len, "%llu B", (unsigned long long)n);
	else if (n < (1u << 20))
		snprintf(out, len, "%.1f KiB", (double)n / 1024.0);
	else
		snprintf(out, len, "%.1f MiB", (double)n / 1048576.0);
}

void deploy_error_report(const struct aws_error *e, const struct msgsink *sink)
{
	/* stopped by a signal: deploy_run's end says what the interruption left,
	 * once, instead of each call it cut saying "Interrupted" first */
	if (!e->interrupted)
		aws_error_report(e, sink);
}

int deploy_bucket(struct aws_client *c, const struct deploy_settings *s, char **bucket)
{
	struct aws_error err;
	if (s->bucket) {
		*bucket = xstrdup(s->bucket);
		return 0;
	}
	aws_error_clear(&err);
	if (eb_create_storage_location(c, bucket, &err)) {
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	return 0;
}

/* Relays S3's byte counts to the caller's progress function. */
struct relay {
	deploy_upload_progress_fn fn;
	void *arg;
	struct deploy_upload_progress p;
};

static void on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct relay *r = arg;
	r->p.done = done;
	r->p.total = total;
	r->fn(&r->p, r->arg);
}

int deploy_upload(struct aws_client *c, const struct deploy_settings *s, const char *bucket,
                  const char *key, const char *path, const struct file_digest *d, bool *uploaded)
{
	const char *hex = d->sha256_hex;
	uint64_t size = d->size;
	deploy_upload_progress_fn progress = s->upload_progress;
	void *progress_arg = s->upload_progress_arg;
	struct s3_object_info info;
	struct aws_error err;
	struct s3_meta meta = {"sha256", hex};
	struct relay relay = {progress, progress_arg, {0, size, 0, false}};
	struct s3_put_options o;
	struct s3_put_result res;
	char human[32];

	*uploaded = false;
	memset(&info, 0, sizeof(info));
	aws_error_clear(&err);
	if (s3_head_object(c, bucket, key, &info, &err)) {
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	if (info.exists && info.size == size && info.meta_sha256 &&
	    !strcmp(info.meta_sha256, hex)) {
		sink_note(s->sink,
		          "s3://%s/%s already holds this bundle (sha256 %.12s): not uploaded",
		          bucket, key, hex);
		s3_object_info_cleanup(&info);
		return 0;
	}
	if (info.exists)
		sink_warn(s->sink,
		          "s3://%s/%s exists with other content (its sha256 is %s): replacing it",
		          bucket, key, info.meta_sha256 ? info.meta_sha256 : "not recorded");
	s3_object_info_cleanup(&info);

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.content_type = "application/zip";
	o.meta = &meta;
	o.nmeta = 1;
	o.sha256_hex = hex; /* a single PUT signs the bundle's hash: no second pass */
	o.progress = progress ? on_progress : NULL;
	o.progress_arg = &relay;
	o.multipart_threshold = MULTIPART_FROM;
	o.part_size = DEPLOY_PART_SIZE;
	if (d->piece_size == DEPLOY_PART_SIZE) {
		o.part_crc32 = d->crc32;
		o.nparts_crc32 = d->npieces;
	}
	o.parallel = PARALLEL_PARTS;
	deploy_format_size(size, human, sizeof(human));
	sink_note(s->sink, "uploading %s to s3://%s/%s%s", human, bucket, key,
	          size >= MULTIPART_FROM ? " (multipart)" : "");
	relay.p.started_ms = time_mono_ms();
	if (s3_upload_file(c, bucket, key, path, &o, &res, &err)) {
		if (progress) {
			/* a bar drawn in place ends before the error */
			relay.p.failed = true;
			progress(&relay.p, progress_arg);
		}
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	*uploaded = true;
	return 0;
}
