/* struct aws_error: what failed (the step, AWS's code and message, the
 * request id, attempts), as one line, and the status it means. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

void aws_error_clear(struct aws_error *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

void aws_error_set(struct aws_error *e, const char *step, const char *code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return;
	aws_error_clear(e);
	snprintf(e->step, sizeof(e->step), "%s", step ? step : "");
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int aws_error_interrupted(struct aws_error *e, const char *step)
{
	aws_error_set(e, step, "Interrupted", "interrupted");
	if (e)
		e->interrupted = true;
	return -1;
}

const char *aws_error_format(const struct aws_error *e, char *out, size_t n)
{
	struct buf b = BUF_INIT;
	if (e->step[0])
		buf_printf(&b, "%s: ", e->step);
	if (e->code[0])
		buf_printf(&b, "%s: ", e->code);
	buf_puts(&b, e->message[0] ? e->message : "failed");
	if (e->http_status || e->request_id[0] || e->attempts > 1) {
		const char *sep = "";
		buf_puts(&b, " (");
		if (e->http_status) {
			buf_printf(&b, "HTTP %ld", e->http_status);
			sep = ", ";
		}
		if (e->request_id[0]) {
			buf_printf(&b, "%srequest id %s", sep, e->request_id);
			sep = ", ";
		}
		if (e->attempts > 1)
			buf_printf(&b, "%s%d attempts", sep, e->attempts);
		buf_puts(&b, ")");
	}
	snprintf(out, n, "%s", buf_cstr(&b));
	buf_cleanup(&b);
	return out;
}

void aws_error_report(const struct aws_error *e, const struct msgsink *sink)
{
	char msg[1200];
	sink_error(sink, "%s", aws_error_format(e, msg, sizeof(msg)));
	if (e->unknown_outcome)
		sink_error(sink,
		           "the request may have been applied: check before running it again");
}

int aws_error_status(const struct aws_error *e)
{
	if (e->interrupted)
		return EBCTL_ERR_INTERRUPTED;
	if (e->deadline)
		return EBCTL_ERR_TIMEOUT;
	/* a local file that cannot be read or written is not AWS's doing */
	if (strcmp(e->code, "IOError") == 0)
		return EBCTL_ERR_INVALID;
	return EBCTL_ERR_AWS;
}
