/*
 * LD_PRELOAD shim for tests/cli/bundle_links.sh: the moment a process
 * opens SWAP_PATH (open, fopen and their variants), the file is first
 * replaced by a symbolic link to SWAP_TARGET, as a racing process could do
 * between a directory walk and the read of each file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void swap(const char *path)
{
	static int done;
	const char *want = getenv("SWAP_PATH"), *target = getenv("SWAP_TARGET");
	if (done || !want || !target || !path || strcmp(path, want) != 0)
		return;
	done = 1;
	unlink(path);
	if (symlink(target, path) != 0)
		abort();
}

typedef int open_fn(const char *, int, ...);
typedef int open2_fn(const char *, int);
typedef FILE *fopen_fn(const char *, const char *);

/* The next definition of name (of type type), looked up once. */
#define REAL(type, name)                                                                           \
	static type *real;                                                                         \
	if (!real)                                                                                 \
	*(void **)&real = dlsym(RTLD_NEXT, name)

/* open(2) and open64: the mode is there only with O_CREAT, read as an int. */
#define OPEN_SHIM(fn)                                                                              \
	int fn(const char *path, int flags, ...)                                                   \
	{                                                                                          \
		REAL(open_fn, #fn);                                                                \
		va_list ap;                                                                        \
		int mode;                                                                          \
		va_start(ap, flags);                                                               \
		mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;                                    \
		va_end(ap);                                                                        \
		swap(path);                                                                        \
		return real(path, flags, mode);                                                    \
	}
/* What _FORTIFY_SOURCE turns open(path, flags) into when flags are not constant. */
#define OPEN2_SHIM(fn)                                                                             \
	int fn(const char *path, int flags);                                                       \
	int fn(const char *path, int flags)                                                        \
	{                                                                                          \
		REAL(open2_fn, #fn);                                                               \
		swap(path);                                                                        \
		return real(path, flags);                                                          \
	}
#define FOPEN_SHIM(fn)                                                                             \
	FILE *fn(const char *path, const char *m)                                                  \
	{                                                                                          \
		REAL(fopen_fn, #fn);                                                               \
		swap(path);                                                                        \
		return real(path, m);                                                              \
	}

OPEN_SHIM(open)
OPEN_SHIM(open64)
OPEN2_SHIM(__open_2)
OPEN2_SHIM(__open64_2)
FOPEN_SHIM(fopen)
FOPEN_SHIM(fopen64)
