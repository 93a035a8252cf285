/*
 * The deploy's upload path on a file of any size: hash it (SHA-256, the
 * key and the object's recorded checksum), HEAD the key, and upload it,
 * multipart and parallel above 8 MiB, exactly as `ebctl deploy` does after
 * bundling. The deploy itself refuses bundles above Elastic Beanstalk's
 * 512 MB limit; this measures the same code on bigger files (make bench
 * times it with wait4: CPU and peak RSS).
 * Usage: upload_bench FILE BUCKET KEY   (endpoint and credentials from the
 * environment, as for ebctl)
 */
#include <stdio.h>
#include <stdlib.h>

#include "deploy/internal.h"
#include "ebctl/aws.h"
#include "ebctl/bundle.h"
#include "ebctl/util.h"

int main(int argc, char **argv)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_error err;
	char hex[65];
	uint64_t size = 0;
	bool uploaded = false;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: upload_bench FILE BUCKET KEY\n");
		return EB_EXIT_USAGE;
	}
	if (bundle_sha256(argv[1], hex, &size) != 0) {
		perror(argv[1]);
		return EB_EXIT_INVALID;
	}
	aws_error_clear(&err);
	if (aws_client_new(&o, &c, &err) != 0) {
		aws_error_print(&err);
		return aws_error_exit_code(&err);
	}
	rc = deploy_upload(c, argv[2], argv[3], argv[1], hex, size, NULL, NULL, &uploaded);
	if (rc == 0 && !uploaded) {
		fprintf(stderr,
		        "upload_bench: s3://%s/%s already holds the file: nothing measured\n",
		        argv[2], argv[3]);
		rc = EB_EXIT_INVALID;
	}
	aws_client_free(c);
	return rc;
}
