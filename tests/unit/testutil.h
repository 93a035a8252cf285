/* What the cmocka tests share: files written in a test's directory, and
 * stderr captured while a call runs. No server, no Python (the tests that
 * start one are in tests/integration/c/, with fakes.h). */
#ifndef EBCTL_TEST_TESTUTIL_H
#define EBCTL_TEST_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebctl/util.h"

/* Write text to DIR/NAME; returns the path (caller frees). Fails the test
 * process on an I/O error. */
static inline char *write_text_in(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* Send stderr to a temporary file until capture_stop, which reads it into
 * out (and removes the file). */
struct capture {
	char path[32];
	int saved;
};

static inline void capture_start(struct capture *cap)
{
	int fd;
	snprintf(cap->path, sizeof(cap->path), "/tmp/ebctl-err.XXXXXX");
	fd = mkstemp(cap->path);
	fflush(stderr);
	cap->saved = dup(2);
	if (fd < 0 || cap->saved < 0 || dup2(fd, 2) < 0) {
		fprintf(stderr, "cannot capture stderr\n");
		exit(1);
	}
	close(fd);
}

static inline void capture_stop(struct capture *cap, struct buf *out)
{
	fflush(stderr);
	dup2(cap->saved, 2);
	close(cap->saved);
	if (buf_read_file(out, cap->path, 0) != 0)
		buf_puts(out, "");
	unlink(cap->path);
}

/* A sink that keeps what a module tells it: the level and text of the
 * first SAID_MAX messages, and how many there were. Give it as
 * `struct msgsink sink = {said_keep, &said};`. */
#define SAID_MAX 8
struct said {
	size_t n;
	enum msg_level level[SAID_MAX];
	char text[SAID_MAX][512];
};

static inline void said_keep(void *arg, enum msg_level level, const char *text)
{
	struct said *s = arg;
	if (s->n < SAID_MAX) {
		s->level[s->n] = level;
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s", text);
	}
	s->n++;
}

/* Whether s holds exactly text at level. */
static inline bool said_has(const struct said *s, enum msg_level level, const char *text)
{
	size_t i;
	for (i = 0; i < s->n && i < SAID_MAX; i++)
		if (s->level[i] == level && strcmp(s->text[i], text) == 0)
			return true;
	return false;
}

/* Unset every variable that picks a source of credentials, so that a
 * test sees only the source it sets. */
static inline void unset_aws_env(void)
{
	static const char *const vars[] = {
	    "AWS_ACCESS_KEY_ID",
	    "AWS_SECRET_ACCESS_KEY",
	    "AWS_SESSION_TOKEN",
	    "AWS_SECURITY_TOKEN",
	    "AWS_PROFILE",
	    "AWS_DEFAULT_PROFILE",
	    "AWS_ROLE_ARN",
	    "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	    "ACTIONS_ID_TOKEN_REQUEST_URL",
	    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	    "EBCTL_ROLE_ARN",
	};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(vars); i++)
		unsetenv(vars[i]);
}

#endif
