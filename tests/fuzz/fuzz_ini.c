/*
 * libFuzzer target: the AWS INI files (inih, fed by the reader in
 * src/aws/credentials.c that stands in for the values and section names of
 * lines longer than inih holds) and profile resolution. The
 * input is a shared credentials file, a NUL byte, then a config file; the
 * first byte picks the profile asked for. The client resolves credentials
 * through the chain (profiles, role_arn with source_profile chains,
 * credential_source) and the profile's region. Nothing leaves the
 * machine: STS goes to a closed loopback port, instance metadata is
 * disabled, and inputs naming credential_process are skipped (it would run
 * a command). Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/internal.h"
#include "testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cred_path[64], conf_path[64];

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void remove_files(void)
{
	unlink(cred_path);
	unlink(conf_path);
}

static void setup(void)
{
	unset_aws_env();
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	snprintf(cred_path, sizeof(cred_path), "/tmp/ebctl-fuzz-ini-%ld.cred", (long)getpid());
	snprintf(conf_path, sizeof(conf_path), "/tmp/ebctl-fuzz-ini-%ld.conf", (long)getpid());
	atexit(remove_files);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	setenv("AWS_CONFIG_FILE", conf_path, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9", 1);
	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	setenv("EBCTL_CONNECT_TIMEOUT", "1", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const profiles[] = {NULL, "default", "dev",       "ci",
	                                       "a",  "b",       "profile a", ""};
	static bool ready;
	struct aws_client_options o;
	struct aws_client *c = NULL;
	struct aws_creds creds;
	struct aws_error err;
	const uint8_t *sep;
	const char *profile;
	char region[64];

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1 || size > 8192 || memmem(data, size, "credential_process", 18))
		return 0;
	profile = profiles[data[0] % (sizeof(profiles) / sizeof(profiles[0]))];
	data++, size--;
	sep = memchr(data, '\0', size);
	write_file(cred_path, data, sep ? (size_t)(sep - data) : size);
	write_file(conf_path, sep ? sep + 1 : data, sep ? size - (size_t)(sep + 1 - data) : 0);

	memset(&err, 0, sizeof(err));
	(void)aws_profile_region(profile, region, sizeof(region), &err);
	if (!memchr(region, '\0', sizeof(region)))
		abort();

	memset(&o, 0, sizeof(o));
	o.profile = profile;
	o.region = "us-east-1";
	memset(&creds, 0, sizeof(creds));
	if (aws_client_new(&o, &c, &err) == 0) {
		if (aws_client_credentials(c, &creds, &err) == 0) {
			if (!creds.access_key_id || !creds.secret_access_key)
				abort();
		} else if (!err.message[0]) {
			abort();
		}
		aws_creds_cleanup(&creds);
		aws_client_free(c);
	}
	return 0;
}
