/*
 * libFuzzer target: .ebignore matching. The input is a set of .ebignore
 * lines, a NUL byte, then paths (one a line) to match against them, each
 * as a file and as a directory; every line is also tried as a single
 * pattern against every path (ignore_wildmatch), and checked against
 * fnmatch(3) where the two grammars agree. The differential against git
 * itself is tests/cli/ebignore_git.sh. Built and run by
 * `make fuzz` (mk/fuzz.mk).
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split s (modified) at '\n' into at most max lines. */
static size_t split_lines(char *s, char **v, size_t max)
{
	size_t n = 0;
	while (s && n < max) {
		char *nl = strchr(s, '\n');
		v[n++] = s;
		if (nl)
			*nl = '\0';
		s = nl ? nl + 1 : NULL;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *sep, *pat[64], *path[64];
	size_t np = 0, nq = 0, i, j;
	struct ignore *ig;

	if (size > 4096)
		return 0;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	sep = memchr(copy, '\0', size);
	np = split_lines(copy, pat, 64);
	if (sep && sep < copy + size)
		nq = split_lines(sep + 1, path, 64);

	ig = ignore_new();
	for (i = 0; i < np; i++)
		ignore_add_line(ig, pat[i]);
	for (j = 0; j < nq; j++) {
		(void)ignore_match(ig, path[j], false);
		(void)ignore_match(ig, path[j], true);
		for (i = 0; i < np && i < 8; i++) {
			bool got = ignore_wildmatch(pat[i], path[j]);
			/* A reference for the subset both grammars share: without "**",
			 * classes and escapes, git's wildmatch with WM_PATHNAME is
			 * fnmatch(3) with FNM_PATHNAME. */
			if (!strstr(pat[i], "**") && !pat[i][strcspn(pat[i], "[\\")] &&
			    got != (fnmatch(pat[i], path[j], FNM_PATHNAME) == 0))
				abort();
		}
		/* a path without special characters is a pattern matching itself */
		if (path[j][0] && !path[j][strcspn(path[j], "*?[]\\!# \t\r")] &&
		    !ignore_wildmatch(path[j], path[j]))
			abort();
	}
	ignore_free(ig);
	free(copy);
	return 0;
}
