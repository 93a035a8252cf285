/*
 * libFuzzer target: the log bundle unpacker (op_unzip_limited), as
 * `logs --all` runs it on a downloaded bundle. The input is the zip; it is
 * unpacked into a fresh directory with small limits (1 MiB in all, a ratio
 * of 50, 1000 entries). Invariants: a failure leaves nothing behind (the
 * directory it created is gone), and nothing is ever written outside it.
 * Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char base[] = "/tmp/ebctl-fuzz-unzip.XXXXXX";
	static bool ready;
	struct op_unzip_limits lim = {1u << 20, 50, 1000};
	char zip[64], out[64];
	struct stat st;
	FILE *f;

	if (!ready) {
		if (!mkdtemp(base))
			abort();
		ready = true;
	}
	snprintf(zip, sizeof(zip), "%s/in.zip", base);
	snprintf(out, sizeof(out), "%s/out", base);
	if (!(f = fopen(zip, "wb")))
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (op_unzip_limited(zip, out, &lim, NULL) != 0 && lstat(out, &st) == 0)
		abort(); /* a failure left files behind */
	nftw(out, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	unlink(zip);
	/* Only in.zip and out/ may ever be created in base. */
	if (rmdir(base) != 0)
		abort();
	if (mkdir(base, 0700) != 0)
		abort();
	return 0;
}
