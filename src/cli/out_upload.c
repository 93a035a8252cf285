/* How the upload of a bundle looks: on a terminal, a bar with the speed and
 * the time left, redrawn in place at most ten times a second; elsewhere (CI,
 * a log), a plain line every 10 %. Nothing for a bundle under 1 MiB. */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct progress {
	int64_t start_ms; /* the started_ms of the upload shown */
	bool tty;
	int last; /* last percentage printed */
	int64_t last_ms;
	/* the speed: bytes per second, smoothed over the last few seconds */
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

static void on_progress(const struct deploy_upload_progress *u, void *arg)
{
	struct progress *p = arg;
	uint64_t done = u->done, total = u->total;
	int pct = total ? (int)(done * 100 / total) : 100;
	int64_t now;
	double speed;
	char rate[32], left[32];

	if (p->start_ms != u->started_ms) {
		/* a new upload */
		memset(p, 0, sizeof(*p));
		p->start_ms = u->started_ms;
		p->last = -1;
		p->tty = isatty(STDERR_FILENO) && !term_is_ci();
	}
	/* Progress is news only for what takes a while. */
	if (ebctl_quiet || total < (1u << 20))
		return;
	if (u->failed) {
		/* the bar drawn in place ends before the error */
		if (p->tty && p->last >= 0 && p->last < 100)
			fputc('\n', stderr);
		return;
	}
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

void deploy_out_upload_progress(struct deploy_settings *s)
{
	static struct progress shown;
	s->upload_progress = on_progress;
	s->upload_progress_arg = &shown;
}
