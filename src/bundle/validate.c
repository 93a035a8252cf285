/* The bundle's Dockerrun is validated, against what actually goes into
 * the zip, before anything leaves the machine. */
#include "ebctl/bundle.h"
#include "ebctl/dockerrun.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Validate data: the diagnostics (warnings included) go to `keep` (the
 * caller renders them); without one they are dropped, the result kept. */
static int check(const char *name, const char *data, size_t len, const struct dr_companions *comp,
                 struct dr_report *keep)
{
	struct dr_report r;
	int rc;
	dr_report_init(&r);
	rc = dockerrun_validate_buffer(name, data, len, comp, NULL, &r);
	if (keep) {
		dr_report_cleanup(keep);
		*keep = r;
	} else {
		dr_report_cleanup(&r);
	}
	return rc ? EBCTL_ERR_INVALID : 0;
}

static bool has_file(const struct bundle_files *files, const char *path)
{
	size_t i;
	for (i = 0; i < files->n; i++)
		if (!strcmp(files->v[i].path, path))
			return true;
	return false;
}

int bundle_validate_dir(const char *dir, const struct bundle_files *files, struct dr_report *keep,
                        const struct msgsink *sink)
{
	struct dr_companions comp = {has_file(files, "Dockerfile"),
	                             has_file(files, "docker-compose.yml")};
	struct buf b = BUF_INIT;
	char *path;
	int rc;
	if (!has_file(files, "Dockerrun.aws.json"))
		return 0; /* a v3 bundle may hold docker-compose.yml alone */
	path = xasprintf("%s/Dockerrun.aws.json", dir);
	if (buf_read_file(&b, path, DR_MAX_FILE_SIZE)) {
		sink_error(sink, "cannot read '%s': %s", path, strerror(errno));
		rc = EBCTL_ERR_INVALID;
	} else {
		rc = check(path, buf_cstr(&b), b.len, &comp, keep);
	}
	buf_cleanup(&b);
	free(path);
	return rc;
}

int bundle_validate_zip(const char *zip_path, struct dr_report *keep, const struct msgsink *sink)
{
	struct dr_companions comp;
	struct buf b;
	int zerr = 0, rc = 0;
	zip_t *za = zip_open(zip_path, ZIP_RDONLY, &zerr);
	zip_file_t *zf;
	char chunk[8192], *name;
	zip_int64_t n;

	if (!za) {
		sink_error(sink, "cannot open '%s' as a zip", zip_path);
		return EBCTL_ERR_INVALID;
	}
	comp.dockerfile = zip_name_locate(za, "Dockerfile", 0) >= 0;
	comp.compose = zip_name_locate(za, "docker-compose.yml", 0) >= 0;
	zf = zip_fopen(za, "Dockerrun.aws.json", 0);
	if (!zf) {
		zip_discard(za);
		return 0;
	}
	buf_init(&b, DR_MAX_FILE_SIZE);
	while ((n = zip_fread(zf, chunk, sizeof(chunk))) > 0)
		if (buf_add(&b, chunk, (size_t)n)) {
			n = -1;
			break;
		}
	zip_fclose(zf);
	zip_discard(za);
	name = xasprintf("%s:Dockerrun.aws.json", zip_path);
	if (n < 0) {
		sink_error(sink, "cannot read '%s': %s", name, b.ptr ? "read error" : "too large");
		rc = EBCTL_ERR_INVALID;
	} else {
		rc = check(name, buf_cstr(&b), b.len, &comp, keep);
	}
	free(name);
	buf_cleanup(&b);
	return rc;
}
