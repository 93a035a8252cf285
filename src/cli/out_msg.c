/* ebctl's messages on stderr and results on stdout, and the sink the
 * commands give the modules below them: their notes, warnings and errors
 * printed as ebctl's own (escaped, one write a line, notes silenced by
 * --quiet). */
#include "ebctl/cli.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	msg_vwrite(NULL, NULL, fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	msg_vwrite("warning", COLOR_YELLOW, fmt, ap);
	va_end(ap);
}

void notef(const char *fmt, ...)
{
	va_list ap;
	if (ebctl_quiet)
		return;
	va_start(ap, fmt);
	msg_vwrite(NULL, NULL, fmt, ap);
	va_end(ap);
}

void out_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fflush(stdout) == EOF && errno == EPIPE)
		exit(EBCTL_EXIT_OK); /* the reader went away (| head): that is not a failure */
}

int out_finish(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return EBCTL_OK;
		fprintf(stderr, "ebctl: cannot write output: %s\n", strerror(errno));
		return EBCTL_ERR_INVALID;
	}
	return EBCTL_OK;
}

static void emit(void *arg, enum msg_level level, const char *text)
{
	(void)arg;
	switch (level) {
	case MSG_NOTE: notef("%s", text); break;
	case MSG_WARNING: warnf("%s", text); break;
	case MSG_ERROR: errorf("%s", text); break;
	}
}

static const struct msgsink printer = {emit, NULL};

const struct msgsink *cli_sink(void)
{
	return &printer;
}

int cli_target_open(struct op_target *t, const char *cmd, unsigned flags)
{
	int rc = op_target_open(t, &printer, flags);
	if (rc == EBCTL_ERR_USAGE)
		fprintf(stderr, "See 'ebctl %s --help'.\n", cmd);
	return rc;
}

int cli_aws_fail(const struct aws_error *err)
{
	return op_aws_fail(err, &printer);
}
