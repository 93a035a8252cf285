/* Follow loops: interruption by SIGINT/SIGTERM and the polling pace. */
#include "ebctl/operate.h"
#include "ebctl/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void follow_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a sleep or a blocking read returns early with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool follow_interrupted(void)
{
	return interrupted != 0;
}

bool follow_sleep_ms(long ms)
{
	struct timespec ts;
	int64_t end = time_mono_ms() + ms;
	while (!interrupted) {
		int64_t left = end - time_mono_ms();
		if (left <= 0)
			break;
		/* Short naps: a signal that lands between the check and the sleep is seen soon. */
		if (left > 100)
			left = 100;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	return interrupted != 0;
}

int follow_interrupted_exit(const char *what)
{
	fflush(stdout);
	if (what)
		errorf("interrupted; %s", what);
	else
		errorf("interrupted");
	return EB_EXIT_INTERRUPTED;
}

volatile sig_atomic_t *follow_interrupt_flag(void)
{
	return &interrupted;
}
