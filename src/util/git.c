/* Running git in the application directory. */
#include "ebctl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int git_capture_raw(const char *dir, const char *const *args, char **out, size_t *len)
{
	const char *argv[16];
	posix_spawn_file_actions_t fa;
	struct buf b = BUF_INIT;
	int pfd[2], status = 0;
	size_t n = 0, i;
	pid_t pid;
	char chunk[4096];
	ssize_t r;

	*out = NULL;
	*len = 0;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = dir;
	for (i = 0; args[i] && n < EBCTL_ARRAY_LEN(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe(pfd))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while ((r = read(pfd[0], chunk, sizeof(chunk))) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			buf_add(&b, chunk, (size_t)r);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = buf_detach(&b, len);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int git_capture(const char *dir, const char *const *args, char **out)
{
	size_t n = 0;
	int rc = git_capture_raw(dir, args, out, &n);
	while (*out && n && ((*out)[n - 1] == '\n' || (*out)[n - 1] == '\r'))
		(*out)[--n] = 0;
	return rc;
}
