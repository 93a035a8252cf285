/* The end of an interrupted follow loop. */
#include "ebctl/cli.h"
#include "ebctl/util.h"

#include <stdio.h>
#include <unistd.h>

int follow_interrupted_exit(const char *what)
{
	fflush(stdout);
	if (what)
		errorf("interrupted (%s); %s", interrupt_signal_name(), what);
	else
		errorf("interrupted (%s)", interrupt_signal_name());
	return EBCTL_ERR_INTERRUPTED;
}

int follow_pause(long ms)
{
	switch (interrupt_sleep_ms(ms, STDOUT_FILENO)) {
	case SLEEP_DONE: return -1;
	case SLEEP_OUTPUT_CLOSED: return EBCTL_OK;
	case SLEEP_INTERRUPTED: break;
	}
	return follow_interrupted_exit(NULL);
}
