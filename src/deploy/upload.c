/* Storing the bundle in S3: content-addressed, uploaded once. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/s3.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MULTIPART_FROM (8ULL << 20)
#define PART_SIZE      (8ULL << 20)
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

void deploy_error_print(const struct aws_error *e)
{
	/* stopped by a signal: deploy_run's end says what the interruption left,
	 * once, instead of each call it cut saying "Interrupted" first */
	if (!e->interrupted)
		aws_error_print(e);
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
		deploy_error_print(&err);
		return aws_error_exit_code(&err);
	}
	return 0;
}

struct progress {
	bool tty;
	int last; /* last percentage printed */
	int64_t last_ms;
	/* the speed: bytes per second, smoothed over the last few seconds */
	int64_t start_ms;
	int64_t sample_ms;
	uint64_t sample_done;
	double rate;
};

/* How often the speed is sampled, and over how long it is smoothed. */
#define RATE_SAMPLE_MS 250
#define RATE_SMOOTH_MS 3000.0

static void progress_sample(struct progress *p, uint64_t done, int64_t now)
{
	double dt = (double)(now - p->sample_ms), inst, w;
	if (p->start_ms == 0)
		p->start_ms = now;
	if (p->sample_ms == 0 || done < p->sample_done) {
		/* the start, or a retried part that sends its bytes again */
		p->sample_ms = now;
		p->sample_done = done;
		return;
	}
	if (dt < RATE_SAMPLE_MS)
		return;
	inst = (double)(done - p->sample_done) * 1000.0 / dt;
	/* an average that forgets at the pace of the clock, not of the calls */
	w = p->rate > 0 ? dt / (dt + RATE_SMOOTH_MS) : 1.0;
	p->rate += w * (inst - p->rate);
	p->sample_ms = now;
	p->sample_done = done;
}

/* The smoothed speed; before its first sample, and at the end, the
 * average since the upload started. */
static double progress_rate(const struct progress *p, uint64_t done, uint64_t total, int64_t now)
{
	if (p->rate > 0 && done < total)
		return p->rate;
	return now > p->start_ms ? (double)done * 1000.0 / (double)(now - p->start_ms) : 0;
}

/* "12.3 MiB/s", or "--- MiB/s" while the speed is not known. */
static void format_rate(double rate, char *out, size_t len)
{
	if (rate <= 0)
		snprintf(out, len, "--- MiB/s");
	else
		snprintf(out, len, "%.1f MiB/s", rate / 1048576.0);
}

/* The time left at the current speed: "1:05 left", "1:02:03 left". */
static void format_left(double rate, uint64_t left, char *out, size_t len)
{
	double secs = rate > 0 ? (double)left / rate : -1;
	if (secs < 0 || secs > 99.0 * 3600) {
		snprintf(out, len, "-:-- left");
	} else {
		unsigned long s = (unsigned long)(secs + 0.5);
		if (s >= 3600)
			snprintf(out, len, "%lu:%02lu:%02lu left", s / 3600, s / 60 % 60, s % 60);
		else
			snprintf(out, len, "%lu:%02lu left", s / 60, s % 60);
	}
}

static void on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress *p = arg;
	int pct = total ? (int)(done * 100 / total) : 100;
	int64_t now;
	double speed;
	char rate[32], left[32];

	if (eb_quiet)
		return;
	now = time_mono_ms();
	progress_sample(p, done, now);
	/* A retried part sends bytes again: show progress only forward. */
	if (pct <= p->last)
		return;
	speed = progress_rate(p, done, total, now);
	format_rate(speed, rate, sizeof(rate));
	if (p->tty) {
		/* Redraw at most ten times a second, and always at 100 %. */
		char bar[31];
		int fill = pct * 30 / 100, i;
		if (pct != 100 && now - p->last_ms < 100)
			return;
		p->last_ms = now;
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : ' ';
		bar[30] = 0;
		format_left(speed, total - done, left, sizeof(left));
		/* \033[K: a shorter line leaves nothing of the longer one before */
		fprintf(stderr, "\rupload [%s] %3d%% %.1f/%.1f MiB  %s  %s\033[K", bar, pct,
		        (double)done / 1048576.0, (double)total / 1048576.0, rate,
		        pct == 100 ? "done" : left);
		if (pct == 100)
			fputc('\n', stderr);
		fflush(stderr);
	} else {
		/* In CI: a plain line every 10 %. */
		if (pct / 10 == p->last / 10 && pct != 100)
			return;
		notef("upload %d%% (%.1f of %.1f MiB, %s)", pct, (double)done / 1048576.0,
		      (double)total / 1048576.0, rate);
	}
	p->last = pct;
}

int deploy_upload(struct aws_client *c, const char *bucket, const char *key, const char *path,
                  const char *hex, uint64_t size, bool *uploaded)
{
	struct s3_object_info info;
	struct aws_error err;
	struct s3_meta meta = {"sha256", hex};
	struct progress prog = {isatty(2) && !term_is_ci(), -1, 0, 0, 0, 0, 0};
	struct s3_put_options o;
	struct s3_put_result res;
	char human[32];

	*uploaded = false;
	memset(&info, 0, sizeof(info));
	aws_error_clear(&err);
	if (s3_head_object(c, bucket, key, &info, &err)) {
		deploy_error_print(&err);
		return aws_error_exit_code(&err);
	}
	if (info.exists && info.size == size && info.meta_sha256 &&
	    !strcmp(info.meta_sha256, hex)) {
		notef("s3://%s/%s already holds this bundle (sha256 %.12s): not uploaded", bucket,
		      key, hex);
		s3_object_info_free(&info);
		return 0;
	}
	if (info.exists)
		warnf("s3://%s/%s exists with other content (its sha256 is %s): replacing it",
		      bucket, key, info.meta_sha256 ? info.meta_sha256 : "not recorded");
	s3_object_info_free(&info);

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.content_type = "application/zip";
	o.meta = &meta;
	o.nmeta = 1;
	o.sha256_hex = hex; /* a single PUT signs the bundle's hash: no second pass */
	o.progress = on_progress;
	o.progress_arg = &prog;
	o.multipart_threshold = MULTIPART_FROM;
	o.part_size = PART_SIZE;
	o.parallel = PARALLEL_PARTS;
	deploy_format_size(size, human, sizeof(human));
	notef("uploading %s to s3://%s/%s%s", human, bucket, key,
	      size >= MULTIPART_FROM ? " (multipart)" : "");
	/* Progress is news only for what takes a while. */
	if (size < (1u << 20))
		o.progress = NULL;
	prog.start_ms = time_mono_ms();
	if (s3_upload_file(c, bucket, key, path, &o, &res, &err)) {
		if (prog.tty && prog.last >= 0 && prog.last < 100)
			fputc('\n', stderr);
		deploy_error_print(&err);
		return aws_error_exit_code(&err);
	}
	*uploaded = true;
	return 0;
}
