/* Interruption: SIGINT, SIGTERM and SIGHUP alike, and sleeps that end early. */
#include "ebctl/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t flag;
static volatile sig_atomic_t which;

static void on_signal(int sig)
{
	if (flag)
		_exit(EBCTL_EXIT_INTERRUPTED); /* a second signal: leave at once */
	flag = 1;
	which = sig;
}

void interrupt_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a sleep or a blocking read returns early with EINTR. */
	for (i = 0; i < EBCTL_ARRAY_LEN(sigs); i++) {
		struct sigaction old;
		/* `nohup ebctl deploy &` asked for the terminal's hang-up to be
		 * ignored: keep it so (SIGINT stays ours: a shell ignores it in
		 * its background jobs for its own reasons, not the user's) */
		if (sigs[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

bool interrupt_requested(void)
{
	return flag != 0;
}

const char *interrupt_signal_name(void)
{
	switch (which) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}

volatile sig_atomic_t *interrupt_flag(void)
{
	return &flag;
}

bool output_closed(int fd)
{
	/* With no events asked for, poll reports only POLLERR/POLLHUP: on the
	 * write end of a pipe, that the reader has gone (as tail -f checks). */
	struct pollfd p = {fd, 0, 0};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL));
}

enum sleep_end interrupt_sleep_ms(int64_t ms, int watch_fd)
{
	int64_t end = time_mono_ms() + ms;
	while (!flag) {
		int64_t left = end - time_mono_ms();
		struct pollfd p = {watch_fd, 0, 0};
		if (left <= 0)
			return SLEEP_DONE;
		/* Short naps: a signal that lands between the check and the poll is seen soon. */
		if (left > 100)
			left = 100;
		if (poll(&p, watch_fd >= 0 ? 1 : 0, (int)left) == 1 &&
		    (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
			return SLEEP_OUTPUT_CLOSED;
	}
	return SLEEP_INTERRUPTED;
}
