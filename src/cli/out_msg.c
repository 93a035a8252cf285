/* The sink the commands give the modules below them: their notes,
 * warnings and errors printed as ebctl's own messages (escaped, one write
 * a line, notes silenced by --quiet). */
#include "ebctl/cli.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdio.h>

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
	if (rc == EB_EXIT_USAGE)
		fprintf(stderr, "See 'ebctl %s --help'.\n", cmd);
	return rc;
}

int cli_aws_fail(const struct aws_error *err)
{
	return op_aws_fail(err, &printer);
}
