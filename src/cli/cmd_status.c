/* ebctl status: status, health, running version, platform and URL of an environment. */
#include "ebctl/cli.h"
#include "ebctl/env.h"

#include <string.h>

#define REPORT_FORMAT_ROW                                                                          \
	OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT", "text,json")
#define REPORT_END OPTION_END

int out_status_main(int argc, char **argv, const struct cmd_help *help, bool health)
{
	struct op_target t = {0};
	const char *format = "text", *healthy = "Green";
	const struct opt status_opts[] = {OP_TARGET_OPTS(t), REPORT_FORMAT_ROW, REPORT_END};
	const struct opt health_opts[] = {
	    OP_TARGET_OPTS(t),
	    REPORT_FORMAT_ROW,
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "health colours that exit 0 (default Green); others exit 5",
	                  "EBCTL_HEALTHY"),
	    REPORT_END,
	};
	unsigned mask = 0;
	int rc, n;

	OPTS_PARSE_OR_RETURN(help, health ? health_opts : status_opts, argc, argv, &n);
	if (n > 0)
		return usage_error(help->name, "unexpected argument '%s'", argv[1]);
	if (health && (rc = opts_healthy(help->name, healthy, &mask)))
		return rc;
	interrupt_install();
	if (!health && t.app && *t.app && (!t.env || !*t.env)) {
		/* status of an application: its environments, as ebctl list */
		if (!(rc = cli_target_open(&t, help->name, OP_NO_ENV)))
			rc = list_environments(t.client, t.app, strcmp(format, "json") == 0);
	} else if (!(rc = cli_target_open(&t, help->name, 0))) {
		rc = out_status(&t, strcmp(format, "json") == 0 ? OP_FORMAT_JSON : OP_FORMAT_TEXT,
		                health, mask);
	}
	op_target_close(&t);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "status", "[--env NAME] [--format text|json]",
	    "Shows the environment's status (Launching, Updating, Ready...), its health\n"
	    "colour and status with their causes (enhanced health), the running version\n"
	    "label, the platform, the CNAME and URL, and when it was last updated.\n"
	    "--format json prints one object with the same fields. With --app and no\n"
	    "environment, lists the application's environments as 'ebctl list' does."};
	return out_status_main(argc, argv, &help, false);
}
