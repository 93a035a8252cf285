/* The sink the commands give the modules below them: their notes,
 * warnings and errors printed as ebctl's own messages (escaped, one write
 * a line, notes silenced by --quiet). */
#include "ebctl/cli.h"
#include "ebctl/util.h"

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
