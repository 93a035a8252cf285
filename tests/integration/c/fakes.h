/*
 * Start and stop the local servers of tests/fakes/ from a cmocka test:
 * each writes KEY=VALUE lines to an env file when it is ready; the test
 * exports them and kills the server in its teardown.
 */
#ifndef EBCTL_TEST_FAKES_H
#define EBCTL_TEST_FAKES_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ebctl/aws.h"
#include "ebctl/util.h"
#include "testutil.h"

struct fake {
	pid_t pid;
	char dir[64];
	char envfile[96];
};

/* Export every KEY=VALUE line of path. */
static inline void fake_load_env(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq = '\0';
		setenv(line, eq + 1, 1);
	}
	fclose(f);
}

/* Run python3 tests/fakes/SCRIPT --env-file F [args...] and wait (30 s at
 * most) until it is ready; its variables are then exported. Returns 0. */
static inline int fake_start(struct fake *fk, const char *script, const char *const *args)
{
	const char *py = getenv("PYTHON");
	char log[128];
	int i;

	memset(fk, 0, sizeof(*fk));
	snprintf(fk->dir, sizeof(fk->dir), "/tmp/ebctl-fake.XXXXXX");
	if (!mkdtemp(fk->dir))
		return -1;
	snprintf(fk->envfile, sizeof(fk->envfile), "%s/env", fk->dir);
	snprintf(log, sizeof(log), "%s/log", fk->dir);
	fflush(NULL);
	fk->pid = fork();
	if (fk->pid < 0)
		return -1;
	if (fk->pid == 0) {
		const char *argv[32];
		char path[256];
		int n = 0, fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		snprintf(path, sizeof(path), "tests/fakes/%s", script);
		argv[n++] = py && *py ? py : "python3";
		argv[n++] = path;
		argv[n++] = "--env-file";
		argv[n++] = fk->envfile;
		for (i = 0; args && args[i] && n < 30; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 600; i++) {
		struct timespec ts = {0, 50 * 1000000L};
		int st;
		if (access(fk->envfile, R_OK) == 0) {
			fake_load_env(fk->envfile);
			return 0;
		}
		if (waitpid(fk->pid, &st, WNOHANG) == fk->pid) {
			char cmd[200];
			fk->pid = 0;
			snprintf(cmd, sizeof(cmd), "cat %s >&2", log);
			if (system(cmd) != 0)
				fprintf(stderr, "fake %s died\n", script);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

static inline void fake_stop(struct fake *fk)
{
	char cmd[128];
	if (fk->pid > 0) {
		kill(fk->pid, SIGTERM);
		waitpid(fk->pid, NULL, 0);
		fk->pid = 0;
	}
	if (fk->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", fk->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", fk->dir);
		fk->dir[0] = '\0';
	}
}

/* GET FAULTY_URL/what from tests/fakes/faulty_server.py into out. */
static inline int faulty_control(struct aws_client *c, const char *what, struct buf *out)
{
	struct aws_error err;
	char *url = xasprintf("%s/%s", getenv("FAULTY_URL"), what);
	int rc = aws_fetch_url(c, url, out, 0, &err);
	free(url);
	return rc;
}

/* Queue the faulty server's next answers ("throttle,500,ok") and reset its count. */
static inline int faulty_script(struct aws_client *c, const char *steps)
{
	struct buf b = BUF_INIT;
	char *what = xasprintf("__script?steps=%s", steps);
	int rc = faulty_control(c, what, &b);
	free(what);
	buf_cleanup(&b);
	return rc;
}

#endif
