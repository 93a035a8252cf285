/*
 * The deploy's upload path on a file of any size, as for a prebuilt zip:
 * take its digest (SHA-256, the key and the object's recorded checksum,
 * and the parts' CRC32s, in one read), HEAD the key, and upload it,
 * multipart and parallel above 8 MiB, exactly as `ebctl deploy` does after
 * bundling. The deploy itself refuses bundles above Elastic Beanstalk's
 * 512 MB limit; this measures the same code on bigger files (make bench
 * times it with wait4: CPU and peak RSS).
 * Usage: upload_bench FILE BUCKET KEY   (endpoint and credentials from the
 * environment, as for ebctl)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/internal.h"
#include "ebctl/aws.h"
#include "ebctl/bundle.h"
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/util.h"

int main(int argc, char **argv)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_error err;
	struct file_digest d;
	bool uploaded = false;
	struct deploy_settings s;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: upload_bench FILE BUCKET KEY\n");
		return cli_exit_code(EBCTL_ERR_USAGE);
	}
	if (file_digest_path(argv[1], DEPLOY_PART_SIZE, &d) != 0) {
		perror(argv[1]);
		return cli_exit_code(EBCTL_ERR_INVALID);
	}
	aws_error_clear(&err);
	o.sink = cli_sink();
	if (aws_client_new(&o, &c, &err) != 0) {
		file_digest_cleanup(&d);
		aws_error_report(&err, cli_sink());
		return cli_exit_code(aws_error_status(&err));
	}
	memset(&s, 0, sizeof(s));
	s.sink = cli_sink();
	rc = deploy_upload(c, &s, argv[2], argv[3], argv[1], &d, &uploaded);
	if (rc == 0 && !uploaded) {
		fprintf(stderr,
		        "upload_bench: s3://%s/%s already holds the file: nothing measured\n",
		        argv[2], argv[3]);
		rc = EBCTL_ERR_INVALID;
	}
	aws_client_free(c);
	file_digest_cleanup(&d);
	return cli_exit_code(rc);
}
