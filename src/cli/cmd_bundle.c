#include "ebctl/cli.h"
#include "ebctl/util.h"

int cmd_bundle(int argc, char **argv)
{
	static const struct cmd_help help = {"bundle", "", "(not implemented yet)", NULL};
	static const struct opt opts[] = {{NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL}};
	int n;
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	errorf("'bundle' is not implemented yet");
	return EB_EXIT_USAGE;
}
