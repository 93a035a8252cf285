/* From a status (EBCTL_OK, EBCTL_ERR_*) to the exit codes of DESIGN.md:
 * the one place that knows the numbers. */
#include "ebctl/cli.h"
#include "ebctl/util.h"

int cli_exit_code(int status)
{
	switch (status) {
	case EBCTL_OK: return EBCTL_EXIT_OK;
	case EBCTL_ERR_INVALID: return EBCTL_EXIT_INVALID;
	case EBCTL_ERR_USAGE: return EBCTL_EXIT_USAGE;
	case EBCTL_ERR_AWS: return EBCTL_EXIT_AWS;
	case EBCTL_ERR_FAILED: return EBCTL_EXIT_DEPLOY_FAILED;
	case EBCTL_ERR_UNHEALTHY: return EBCTL_EXIT_UNHEALTHY;
	case EBCTL_ERR_TIMEOUT: return EBCTL_EXIT_TIMEOUT;
	case EBCTL_ERR_INTERRUPTED: return EBCTL_EXIT_INTERRUPTED;
	case EBCTL_ERR_INTERNAL: break;
	}
	return EBCTL_EXIT_INTERNAL; /* and anything that is not a status */
}
