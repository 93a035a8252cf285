/*
 * ebctl render: a version 2 Dockerrun file as docker-compose
 * (render_compose.c), Kubernetes manifests (render_k8s.c) or an ECS task
 * definition (render_ecs.c); the YAML writer and what they share are in
 * render_emit.c. This file checks the request and picks the target.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* Every --replicas name must be a container's: DR_RENDER_EINVAL, after an
 * error to o->sink for each that is not. */
static int check_replicas(const struct dr_document *d, const struct dr_render_opts *o)
{
	size_t i, n;
	struct dr_name *byname = rd_containers_sorted(d, &n);
	int rc = 0;
	for (i = 0; i < o->nreplicas; i++)
		if (rd_find(byname, n, o->replicas[i].name) < 0) {
			sink_error(
			    o->sink,
			    "render: --replicas names '%s', which is no container of the file",
			    o->replicas[i].name);
			rc = DR_RENDER_EINVAL;
		}
	free(byname);
	return rc;
}

int dr_render(FILE *f, const struct dr_document *d, const struct dr_render_opts *o)
{
	struct em m;
	int rc;
	if (d->version != 2)
		return DR_RENDER_EINVAL;
	if ((rc = check_replicas(d, o)))
		return rc;
	if (o->to == DR_RENDER_ECS)
		return rd_render_ecs(f, d, o);
	if (em_open(&m, f, o->source,
	            o->to == DR_RENDER_K8S ? "Kubernetes manifests" : "docker-compose"))
		return DR_RENDER_EWRITE;
	/* Kubernetes names are checked before anything is written */
	if (o->to == DR_RENDER_K8S)
		rc = rd_render_k8s(&m, d, o);
	else
		rc = rd_render_compose(&m, d, o);
	em_close(&m);
	if (rc)
		return rc;
	return m.err || ferror(f) ? DR_RENDER_EWRITE : 0;
}
