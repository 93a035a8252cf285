/* ebctl status: status, health, running version, platform and URL of an environment. */
#include "ebctl/cli.h"
#include "ebctl/operate.h"

int cmd_status(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "status", "[--env NAME] [--format text|json]",
	    "environment status, health, running version, platform and URL",
	    "Shows the environment's status (Launching, Updating, Ready...), its health\n"
	    "colour and status with their causes (enhanced health), the running version\n"
	    "label, the platform, the CNAME and URL, and when it was last updated.\n"
	    "--format json prints one object with the same fields."};
	return op_report_main(argc, argv, &help, false);
}
