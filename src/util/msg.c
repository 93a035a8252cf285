/* Messages to people on stderr, results on stdout. */
#include "ebctl/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool ebctl_debug;
bool ebctl_quiet;
bool ebctl_no_color;

/* One message, written whole with one call: stdio locks the stream for
 * each, so lines from threads (a deploy's updates) never interleave. */
void msg_vwrite(const char *kind, const char *color, const char *fmt, va_list ap)
{
	bool c = color && term_use_color(stderr);
	struct buf line = BUF_INIT, out = BUF_INIT;
	fflush(stdout);
	buf_puts(&out, "ebctl: ");
	if (kind)
		buf_printf(&out, "%s%s:%s ", c ? color : "", kind, c ? COLOR_RESET : "");
	/* messages carry server text (errors, event messages): one line each */
	buf_vprintf(&line, fmt, ap);
	buf_put_escaped(&out, buf_cstr(&line), line.len);
	buf_putc(&out, '\n');
	fputs(buf_cstr(&out), stderr);
	buf_free_secret(&line);
	buf_free_secret(&out);
}

static void vsink(const struct msgsink *s, enum msg_level level, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT;
	if (!s || !s->emit)
		return;
	buf_vprintf(&text, fmt, ap);
	s->emit(s->arg, level, buf_cstr(&text));
	buf_free_secret(&text);
}

void sink_note(const struct msgsink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsink(s, MSG_NOTE, fmt, ap);
	va_end(ap);
}

void sink_warn(const struct msgsink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsink(s, MSG_WARNING, fmt, ap);
	va_end(ap);
}

void sink_error(const struct msgsink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsink(s, MSG_ERROR, fmt, ap);
	va_end(ap);
}

void debugf(const char *fmt, ...)
{
	va_list ap;
	if (!ebctl_debug)
		return;
	va_start(ap, fmt);
	msg_vwrite("debug", COLOR_DIM, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	/* no allocation here: die() is what running out of memory calls */
	fflush(stdout);
	fputs("ebctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EBCTL_EXIT_INTERNAL);
}

bool term_use_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	if (ebctl_no_color || (nc && *nc))
		return false;
	return isatty(fileno(f));
}

bool term_is_ci(void)
{
	static const char *vars[] = {"CI", "GITHUB_ACTIONS", "TRAVIS", "GITLAB_CI", "BUILDKITE"};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v && strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
			return true;
	}
	return false;
}
