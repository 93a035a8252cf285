/* ebctl bundle: build the deterministic source bundle. */
#include "ebctl/bundle.h"
#include "ebctl/cli.h"
#include "ebctl/dockerrun.h"
#include "ebctl/util.h"

int cmd_bundle(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "bundle", "[-C DIR] [-o FILE.zip] [--all] [-j N]",
	    "Without --all the bundle holds Dockerrun.aws.json (or docker-compose.yml), "
	    ".ebextensions/\n"
	    "and .platform/; with --all every file of DIR. Both honour DIR/.ebignore (gitignore\n"
	    "syntax; --all without one takes DIR/.gitignore) and always leave out .git/ and\n"
	    ".elasticbeanstalk/. The same inputs give the "
	    "same\n"
	    "bytes: prints the path, the size and the SHA-256 that identifies the content.\n"
	    "A bundle that takes more than a second shows its progress on stderr (not with\n"
	    "--quiet). SIGINT, SIGTERM or SIGHUP stop it at once, leaving no partial zip: exit\n"
	    "130."};
	const char *dir = ".", *out = "bundle.zip";
	bool all = false;
	unsigned long jobs = 0;
	const struct opt opts[] = {
	    OPTION_STRING("directory", 'C', &dir, "DIR", "the application directory (default .)",
	                  NULL),
	    OPTION_STRING("output", 'o', &out, "FILE.zip",
	                  "where to write the zip (default bundle.zip)", NULL),
	    OPTION_BOOL("all", 0, &all,
	                "every file of DIR, not only the Dockerrun and hidden config folders",
	                "EBCTL_ALL"),
	    OPTION_UINT("jobs", 'j', &jobs, "N",
	                "threads that compress (default: the CPU count; the bytes are the same)",
	                "EBCTL_JOBS", 1, 16),
	    OPTION_END,
	};
	struct file_digest digest;
	struct dr_report diags;
	int n, rc;
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("bundle", "unexpected argument '%s'", argv[1]);
	bundle_set_jobs((unsigned)jobs);
	bundle_out_progress();
	interrupt_install();
	dr_report_init(&diags);
	file_digest_init(&digest, 0);
	rc = bundle_build(dir, all, out, &digest, &diags, NULL, cli_sink());
	dr_report_print(stderr, &diags, DR_FORMAT_TEXT, term_use_color(stderr));
	dr_report_cleanup(&diags);
	if (rc == EBCTL_ERR_INTERRUPTED)
		errorf("interrupted (%s): no bundle written", interrupt_signal_name());
	if (!rc)
		out_line("%s\t%llu\t%s\n", out, (unsigned long long)digest.size, digest.sha256_hex);
	file_digest_cleanup(&digest);
	return rc;
}
