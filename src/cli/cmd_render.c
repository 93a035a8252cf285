/* ebctl render: a version 2 Dockerrun file as docker-compose or Kubernetes YAML. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/cli.h"
#include "ebctl/dockerrun.h"
#include "ebctl/util.h"

int cmd_render(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "render", "--to compose|k8s [-o FILE] FILE",
	    "write a version 2 Dockerrun file as docker-compose or Kubernetes manifests",
	    "compose: one service per container, to run the app locally (like 'eb local run');\n"
	    "host paths under /var/app/current become relative, awseb-logs-NAME becomes\n"
	    "./logs/NAME, an essential container restarts always.\n"
	    "k8s: a Deployment per container, a Service per container that has ports or is\n"
	    "linked to (so links resolve by name) and one per link alias; host port 80 becomes\n"
	    "a LoadBalancer Service. Every field that cannot be carried over is named in a\n"
	    "warning on stderr. The file must pass 'ebctl validate' (errors are printed, exit 1)."};
	const char *to = NULL, *output = NULL;
	const struct opt opts[] = {
	    {"to", 't', OPT_CHOICE, &to, "FORMAT", "what to write", NULL, 0, 0, "compose,k8s"},
	    {"output", 'o', OPT_STRING, &output, "FILE", "write there instead of stdout", NULL, 0,
	     0, NULL},
	    {NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL}};
	struct dr_report r;
	int n, rc;
	FILE *out = stdout;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (!to)
		return usage_error("render", "--to compose or --to k8s is required");
	if (n != 1)
		return usage_error("render", n ? "one FILE at a time"
		                               : "no FILE given (use '-' for standard input)");
	dr_report_init(&r);
	rc = dockerrun_validate_file(argv[1], NULL, &r);
	if (rc < 0) {
		errorf("cannot open '%s': %s", argv[1],
		       errno == EFBIG ? "larger than 8 MiB" : strerror(errno));
		return EB_EXIT_INVALID;
	}
	if (r.errors) {
		dr_report_print(stderr, &r, DR_FORMAT_TEXT, term_use_color(stderr));
		errorf("'%s' has errors; fix them before rendering", r.file);
		dr_report_cleanup(&r);
		return EB_EXIT_INVALID;
	}
	if (r.model.version != 2) {
		errorf("'%s' is a version %d file; render takes version 2 (containerDefinitions)",
		       r.file, r.model.version);
		dr_report_cleanup(&r);
		return EB_EXIT_INVALID;
	}
	if (output && !(out = fopen(output, "w"))) {
		errorf("cannot write '%s': %s", output, strerror(errno));
		dr_report_cleanup(&r);
		return EB_EXIT_INVALID;
	}
	rc = dr_render(out, &r, strcmp(to, "k8s") == 0 ? DR_RENDER_K8S : DR_RENDER_COMPOSE, r.file);
	dr_report_cleanup(&r);
	if (!output) {
		if (rc != 0 && !ferror(stdout)) {
			errorf("cannot render '%s' as YAML", argv[1]);
			return EB_EXIT_INVALID;
		}
		return out_finish(); /* a closed pipe ends quietly */
	}
	if (fclose(out) != 0 || rc != 0) {
		errorf("cannot write '%s': %s", output, strerror(errno));
		return EB_EXIT_INVALID;
	}
	return EB_EXIT_OK;
}
