/* ebctl health: an environment's health, its causes and instance counts. */
#include "ebctl/cli.h"
#include "ebctl/env.h"

int cmd_health(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "health", "[--env NAME] [--format text|json] [--healthy COLOURS]",
	    "Shows the health colour and status, the causes EB gives for them, the\n"
	    "instances by health state, and request counts and latency when enhanced\n"
	    "health reporting is on. --format json prints one object.\n\n"
	    "Exit status: 0 when the colour is one of --healthy (default Green), 5 when\n"
	    "it is not (the report is printed either way), 1 when the environment does\n"
	    "not exist, 3 on an AWS error."};
	return out_status_main(argc, argv, &help, true);
}
