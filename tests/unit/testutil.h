/* What the cmocka tests share: files written in a test's directory, and
 * stderr captured while a call runs. No server, no Python (the tests that
 * start one are in tests/integration/c/, with fakes.h). */
#ifndef EBCTL_TEST_TESTUTIL_H
#define EBCTL_TEST_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
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
