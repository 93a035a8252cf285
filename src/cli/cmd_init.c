#include "ebctl/cli.h"
#include "ebctl/util.h"

int cmd_init(int argc, char **argv)
{
	static const struct cmd_help help = {"init", "", "(not implemented yet)", NULL};
	static const struct opt opts[] = {{NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL}};
	int n;
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	errorf("'init' is not implemented yet");
	return EB_EXIT_USAGE;
}
