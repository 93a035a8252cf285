/* ebctl status: status, health, running version, platform and URL of an environment. */
#include "ebctl/cli.h"
#include "ebctl/env.h"

#include <string.h>

int op_report_main(int argc, char **argv, const struct cmd_help *help, bool health)
{
	struct op_target t = {0};
	const char *format = "text";
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    {"format", 0, OPT_CHOICE, &format, "FORMAT", "text or json", "EBCTL_FORMAT", 0, 0,
	     "text,json"},
	    {NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL},
	};
	int rc, n;

	OPTS_PARSE_OR_RETURN(help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error(help->name, "unexpected argument '%s'", argv[1]);
	interrupt_install();
	if (!health && t.app && *t.app && (!t.env || !*t.env)) {
		/* status of an application: its environments, as ebctl list */
		if (!(rc = op_target_open(&t, help->name, OP_NO_ENV)))
			rc = list_environments(t.client, t.app, strcmp(format, "json") == 0);
	} else if (!(rc = op_target_open(&t, help->name, 0))) {
		rc = op_report(&t, strcmp(format, "json") == 0 ? OP_FORMAT_JSON : OP_FORMAT_TEXT,
		               health);
	}
	op_target_close(&t);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "status", "[--env NAME] [--format text|json]",
	    "environment status, health, running version, platform and URL",
	    "Shows the environment's status (Launching, Updating, Ready...), its health\n"
	    "colour and status with their causes (enhanced health), the running version\n"
	    "label, the platform, the CNAME and URL, and when it was last updated.\n"
	    "--format json prints one object with the same fields. With --app and no\n"
	    "environment, lists the application's environments as 'ebctl list' does."};
	return op_report_main(argc, argv, &help, false);
}
