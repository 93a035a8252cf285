/* How the progress of writing a bundle looks: silent for a second, then a
 * line a second, so a big bundle never looks hung and a small one says
 * nothing. */
#include "ebctl/bundle.h"
#include "ebctl/cli.h"
#include "ebctl/util.h"

#include <stdio.h>
#include <unistd.h>

#define FIRST_AFTER_MS 1000 /* a bundle written faster than this shows nothing */
#define EVERY_MS       1000

struct shown {
	int64_t started_ms; /* of the bundle the state is about */
	int64_t last_ms;    /* when a line was last shown; 0: none yet */
	bool tty;
};

static void describe(const struct bundle_progress *p, char *out, size_t n)
{
	snprintf(out, n, "bundling: %zu of %zu files, %.1f of %.1f MiB", p->files_done, p->files,
	         (double)p->bytes_done / 1048576.0, (double)p->bytes / 1048576.0);
}

static void on_progress(const struct bundle_progress *p, void *arg)
{
	struct shown *s = arg;
	char text[160];
	int64_t now;
	if (s->started_ms != p->started_ms) {
		s->started_ms = p->started_ms;
		s->last_ms = 0;
		s->tty = isatty(STDERR_FILENO) && !term_is_ci();
	}
	if (ebctl_quiet)
		return;
	if (p->finished) {
		/* the redrawn line is left as it ended, and what follows starts a line of its own
		 */
		if (s->tty && s->last_ms) {
			describe(p, text, sizeof(text));
			fprintf(stderr, "\r%s\n", text);
			fflush(stderr);
		}
		return;
	}
	now = time_mono_ms();
	if (now - p->started_ms < FIRST_AFTER_MS || (s->last_ms && now - s->last_ms < EVERY_MS))
		return;
	s->last_ms = now;
	describe(p, text, sizeof(text));
	if (s->tty) {
		fprintf(stderr, "\r%s", text);
		fflush(stderr);
	} else {
		notef("%s", text);
	}
}

void bundle_out_progress(void)
{
	static struct shown s;
	bundle_set_progress(on_progress, &s);
}
