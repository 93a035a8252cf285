/*
 * The starter files of `ebctl init`, embedded in the binary at build time
 * from templates/ (mk/gen-templates.sh), so an installed ebctl needs no
 * templates directory.
 */
#ifndef EBCTL_TEMPLATES_H
#define EBCTL_TEMPLATES_H

#include <stddef.h>

struct template_file {
	const char *path;          /* relative to templates/: "multi-docker/Dockerrun.aws.json" */
	const unsigned char *data; /* the file's bytes, NUL-terminated (not counted in len) */
	size_t len;
};

/* Every file under templates/, sorted by path (byte order). */
extern const struct template_file template_files[];
extern const size_t ntemplate_files;

#endif
