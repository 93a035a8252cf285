/*
 * libFuzzer target: parse and validate any bytes as a Dockerrun.aws.json,
 * with and without companion files, print the report in every form, and
 * render a valid version 2 file as compose, as Kubernetes YAML and as ECS
 * JSON (with no sink, render's messages are dropped).
 * Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ebctl/dockerrun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct dr_document doc;
	struct dr_report r;
	/* the first byte picks the companions, so both paths get explored */
	struct dr_companions comp = {size > 0 && (data[0] & 1), size > 0 && (data[0] & 2)};
	json_t *j;

	if (!sink)
		sink = fopen("/dev/null", "w");
	dr_document_init(&doc);
	dr_report_init(&r);
	dockerrun_validate_buffer("fuzz/Dockerrun.aws.json", (const char *)data, size, &comp, &doc,
	                          &r);
	if (r.errors + r.warnings != r.ndiags)
		abort();
	dr_report_print(sink, &r, DR_FORMAT_TEXT, false);
	dr_report_print(sink, &r, DR_FORMAT_GITHUB, false);
	j = dr_report_json(&r);
	json_dumpf(j, sink, 0);
	json_decref(j);
	if (doc.version == 2 && !r.errors) {
		/* a write error is a bug; two containers with one Kubernetes
		 * name are the file's */
		struct dr_render_opts o = {
		    DR_RENDER_COMPOSE, "fuzz", "fuzz", NULL, 0, NULL, 0, NULL, NULL, NULL};
		if (dr_render(sink, &doc, &o) != 0)
			abort();
		o.to = DR_RENDER_K8S;
		if (dr_render(sink, &doc, &o) == DR_RENDER_EWRITE)
			abort();
		o.to = DR_RENDER_ECS;
		if (dr_render(sink, &doc, &o) != 0)
			abort();
	}
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
	return 0;
}
