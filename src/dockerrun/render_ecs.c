/*
 * ebctl render --to ecs: the RegisterTaskDefinition input that Elastic
 * Beanstalk itself registers for a version 2 file (family, the container
 * definitions, the volumes, bridge networking, EC2), as JSON. A container
 * definition of the file is already one of ECS: the members ECS knows are
 * copied when their type is the one ECS takes (the table below follows the
 * ECS API's ContainerDefinition); anything else is named in a warning.
 * The awseb-logs-NAME volumes Elastic Beanstalk adds itself are declared.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* A member of the ECS API and the JSON type it takes. */
enum ecs_type { T_STR, T_INT, T_BOOL, T_STRS, T_MAP, T_OBJ, T_OBJS, T_INTS };
struct ecs_field {
	const char *name;
	enum ecs_type type;
	const struct ecs_field *members; /* T_OBJ, T_OBJS */
	const char *const *values;       /* T_STR: the enum, or NULL */
};

static const char *const protocols[] = {"tcp", "udp", NULL};
static const char *const app_protocols[] = {"http", "http2", "grpc", NULL};
static const char *const ulimit_names[] = {
    "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
    "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",    NULL};
static const char *const log_drivers[] = {"json-file", "syslog", "journald",    "gelf", "fluentd",
                                          "awslogs",   "splunk", "awsfirelens", NULL};
static const char *const conditions[] = {"START", "COMPLETE", "SUCCESS", "HEALTHY", NULL};
static const char *const env_file_types[] = {"s3", NULL};
static const char *const firelens_types[] = {"fluentd", "fluentbit", NULL};
static const char *const resource_types[] = {"GPU", "InferenceAccelerator", NULL};

#define END                                                                                        \
	{                                                                                          \
		NULL, T_STR, NULL, NULL                                                            \
	}
static const struct ecs_field f_creds[] = {{"credentialsParameter", T_STR, NULL, NULL}, END};
static const struct ecs_field f_port[] = {{"containerPort", T_INT, NULL, NULL},
                                          {"hostPort", T_INT, NULL, NULL},
                                          {"protocol", T_STR, NULL, protocols},
                                          {"name", T_STR, NULL, NULL},
                                          {"appProtocol", T_STR, NULL, app_protocols},
                                          {"containerPortRange", T_STR, NULL, NULL},
                                          END};
static const struct ecs_field f_kv[] = {
    {"name", T_STR, NULL, NULL}, {"value", T_STR, NULL, NULL}, END};
static const struct ecs_field f_secret[] = {
    {"name", T_STR, NULL, NULL}, {"valueFrom", T_STR, NULL, NULL}, END};
static const struct ecs_field f_env_file[] = {
    {"value", T_STR, NULL, NULL}, {"type", T_STR, NULL, env_file_types}, END};
static const struct ecs_field f_mount[] = {{"sourceVolume", T_STR, NULL, NULL},
                                           {"containerPath", T_STR, NULL, NULL},
                                           {"readOnly", T_BOOL, NULL, NULL},
                                           END};
static const struct ecs_field f_from[] = {
    {"sourceContainer", T_STR, NULL, NULL}, {"readOnly", T_BOOL, NULL, NULL}, END};
static const struct ecs_field f_caps[] = {
    {"add", T_STRS, NULL, NULL}, {"drop", T_STRS, NULL, NULL}, END};
static const struct ecs_field f_device[] = {{"hostPath", T_STR, NULL, NULL},
                                            {"containerPath", T_STR, NULL, NULL},
                                            {"permissions", T_STRS, NULL, NULL},
                                            END};
static const struct ecs_field f_tmpfs[] = {{"containerPath", T_STR, NULL, NULL},
                                           {"size", T_INT, NULL, NULL},
                                           {"mountOptions", T_STRS, NULL, NULL},
                                           END};
static const struct ecs_field f_linux[] = {
    {"capabilities", T_OBJ, f_caps, NULL},      {"devices", T_OBJS, f_device, NULL},
    {"initProcessEnabled", T_BOOL, NULL, NULL}, {"sharedMemorySize", T_INT, NULL, NULL},
    {"tmpfs", T_OBJS, f_tmpfs, NULL},           {"maxSwap", T_INT, NULL, NULL},
    {"swappiness", T_INT, NULL, NULL},          END};
static const struct ecs_field f_depends[] = {
    {"containerName", T_STR, NULL, NULL}, {"condition", T_STR, NULL, conditions}, END};
static const struct ecs_field f_host[] = {
    {"hostname", T_STR, NULL, NULL}, {"ipAddress", T_STR, NULL, NULL}, END};
static const struct ecs_field f_ulimit[] = {{"name", T_STR, NULL, ulimit_names},
                                            {"softLimit", T_INT, NULL, NULL},
                                            {"hardLimit", T_INT, NULL, NULL},
                                            END};
static const struct ecs_field f_log[] = {{"logDriver", T_STR, NULL, log_drivers},
                                         {"options", T_MAP, NULL, NULL},
                                         {"secretOptions", T_OBJS, f_secret, NULL},
                                         END};
static const struct ecs_field f_health[] = {
    {"command", T_STRS, NULL, NULL},    {"interval", T_INT, NULL, NULL},
    {"timeout", T_INT, NULL, NULL},     {"retries", T_INT, NULL, NULL},
    {"startPeriod", T_INT, NULL, NULL}, END};
static const struct ecs_field f_sysctl[] = {
    {"namespace", T_STR, NULL, NULL}, {"value", T_STR, NULL, NULL}, END};
static const struct ecs_field f_resource[] = {
    {"value", T_STR, NULL, NULL}, {"type", T_STR, NULL, resource_types}, END};
static const struct ecs_field f_firelens[] = {
    {"type", T_STR, NULL, firelens_types}, {"options", T_MAP, NULL, NULL}, END};
static const struct ecs_field f_restart[] = {{"enabled", T_BOOL, NULL, NULL},
                                             {"ignoredExitCodes", T_INTS, NULL, NULL},
                                             {"restartAttemptPeriod", T_INT, NULL, NULL},
                                             END};
static const struct ecs_field f_container[] = {{"name", T_STR, NULL, NULL},
                                               {"image", T_STR, NULL, NULL},
                                               {"repositoryCredentials", T_OBJ, f_creds, NULL},
                                               {"cpu", T_INT, NULL, NULL},
                                               {"memory", T_INT, NULL, NULL},
                                               {"memoryReservation", T_INT, NULL, NULL},
                                               {"links", T_STRS, NULL, NULL},
                                               {"portMappings", T_OBJS, f_port, NULL},
                                               {"essential", T_BOOL, NULL, NULL},
                                               {"restartPolicy", T_OBJ, f_restart, NULL},
                                               {"entryPoint", T_STRS, NULL, NULL},
                                               {"command", T_STRS, NULL, NULL},
                                               {"environment", T_OBJS, f_kv, NULL},
                                               {"environmentFiles", T_OBJS, f_env_file, NULL},
                                               {"mountPoints", T_OBJS, f_mount, NULL},
                                               {"volumesFrom", T_OBJS, f_from, NULL},
                                               {"linuxParameters", T_OBJ, f_linux, NULL},
                                               {"secrets", T_OBJS, f_secret, NULL},
                                               {"dependsOn", T_OBJS, f_depends, NULL},
                                               {"startTimeout", T_INT, NULL, NULL},
                                               {"stopTimeout", T_INT, NULL, NULL},
                                               {"hostname", T_STR, NULL, NULL},
                                               {"user", T_STR, NULL, NULL},
                                               {"workingDirectory", T_STR, NULL, NULL},
                                               {"disableNetworking", T_BOOL, NULL, NULL},
                                               {"privileged", T_BOOL, NULL, NULL},
                                               {"readonlyRootFilesystem", T_BOOL, NULL, NULL},
                                               {"dnsServers", T_STRS, NULL, NULL},
                                               {"dnsSearchDomains", T_STRS, NULL, NULL},
                                               {"extraHosts", T_OBJS, f_host, NULL},
                                               {"dockerSecurityOptions", T_STRS, NULL, NULL},
                                               {"interactive", T_BOOL, NULL, NULL},
                                               {"pseudoTerminal", T_BOOL, NULL, NULL},
                                               {"dockerLabels", T_MAP, NULL, NULL},
                                               {"ulimits", T_OBJS, f_ulimit, NULL},
                                               {"logConfiguration", T_OBJ, f_log, NULL},
                                               {"healthCheck", T_OBJ, f_health, NULL},
                                               {"systemControls", T_OBJS, f_sysctl, NULL},
                                               {"resourceRequirements", T_OBJS, f_resource, NULL},
                                               {"firelensConfiguration", T_OBJ, f_firelens, NULL},
                                               {"credentialSpecs", T_STRS, NULL, NULL},
                                               END};
#undef END

static bool is_integer(const json_t *v)
{
	return json_is_integer(v);
}

static json_t *filter_object(const struct msgsink *sink, const json_t *o,
                             const struct ecs_field *fields, const char *where,
                             const char *container);

/* The value as ECS takes it (a new reference), or NULL after a warning to
 * sink. */
static json_t *filter_value(const struct msgsink *sink, const json_t *v, const struct ecs_field *f,
                            const char *where, const char *container)
{
	const char *const *e;
	size_t i;
	json_t *out;
	void *it;
	switch (f->type) {
	case T_STR:
		if (!json_is_string(v))
			break;
		for (e = f->values; e && *e; e++)
			if (strcmp(*e, json_string_value(v)) == 0)
				return json_copy((json_t *)(uintptr_t)v);
		if (!f->values)
			return json_copy((json_t *)(uintptr_t)v);
		break;
	case T_INT:
		if (json_is_integer(v))
			return json_copy((json_t *)(uintptr_t)v);
		break;
	case T_BOOL:
		if (json_is_boolean(v))
			return json_copy((json_t *)(uintptr_t)v);
		break;
	case T_STRS:
		if (dr_json_is_string_array(v))
			return json_deep_copy(v);
		break;
	case T_INTS:
		if (dr_json_array_all(v, is_integer))
			return json_deep_copy(v);
		break;
	case T_MAP:
		if (!json_is_object(v))
			break;
		out = json_object();
		for (it = json_object_iter((json_t *)(uintptr_t)v); it;
		     it = json_object_iter_next((json_t *)(uintptr_t)v, it))
			if (json_is_string(json_object_iter_value(it)))
				json_object_set(out, json_object_iter_key(it),
				                json_object_iter_value(it));
		return out;
	case T_OBJ:
		if (json_is_object(v))
			return filter_object(sink, v, f->members, where, container);
		break;
	case T_OBJS:
		if (!json_is_array(v))
			break;
		out = json_array();
		for (i = 0; i < json_array_size(v); i++)
			if (json_is_object(json_array_get(v, i)))
				json_array_append_new(out,
				                      filter_object(sink, json_array_get(v, i),
				                                    f->members, where, container));
		return out;
	}
	sink_warn(sink, "render: '%s' of container '%s' is not what ECS takes; not carried over",
	          where, container);
	return NULL;
}

/* The members of o that ECS knows, each filtered, in the order of the ECS
 * API, the others named in a warning to sink; caller owns. */
static json_t *filter_object(const struct msgsink *sink, const json_t *o,
                             const struct ecs_field *fields, const char *where,
                             const char *container)
{
	json_t *out = json_object(), *obj = (json_t *)(uintptr_t)o, *v;
	const struct ecs_field *f;
	struct buf path = BUF_INIT;
	void *it;
	for (f = fields; f->name; f++) {
		if (!(v = json_object_get(obj, f->name)) || json_is_null(v))
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s%s%s", where, *where ? "." : "", f->name);
		if ((v = filter_value(sink, v, f, buf_cstr(&path), container)))
			json_object_set_new(out, f->name, v);
	}
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *k = json_object_iter_key(it);
		for (f = fields; f->name && strcmp(f->name, k) != 0; f++)
			;
		if (!f->name && !json_is_null(json_object_iter_value(it)))
			sink_warn(sink,
			          "render: '%s%s%s' of container '%s' is not carried over to ECS "
			          "(not a member of its task definitions)",
			          where, *where ? "." : "", k, container);
	}
	buf_cleanup(&path);
	return out;
}

int rd_render_ecs(FILE *f, const struct dr_document *d, const struct dr_render_opts *o)
{
	json_t *td = json_object(), *defs = json_array(), *vols = json_array();
	struct dr_name *declared, *logs;
	size_t i, j, ndeclared, nlogs = 0;
	int rc;

	json_object_set_new(td, "family", json_string(o->family ? o->family : "app"));
	for (i = 0; i < d->ncontainers; i++) {
		const struct dr_container *c = &d->containers[i];
		json_array_append_new(defs,
		                      filter_object(o->sink, c->json, f_container, "", c->name));
		if (rd_replicas_of(o, c))
			sink_warn(o->sink,
			          "render: --replicas is not carried over to ECS: an ECS "
			          "service runs copies of the whole task (its desiredCount)");
	}
	json_object_set_new(td, "containerDefinitions", defs);
	for (i = 0; i < d->nvolumes; i++) {
		const struct dr_volume *v = &d->volumes[i];
		json_t *vol = json_object();
		if (!v->name) {
			json_decref(vol);
			continue;
		}
		json_object_set_new(vol, "name", json_string(v->name));
		if (v->source_path)
			json_object_set_new(vol, "host",
			                    json_pack("{s:s}", "sourcePath", v->source_path));
		json_array_append_new(vols, vol);
	}
	/* the log volumes Elastic Beanstalk declares: awseb-logs-NAME is
	 * /var/log/containers/NAME on the instance */
	declared = rd_volumes_sorted(d, &ndeclared);
	for (i = 0; i < d->ncontainers; i++)
		nlogs += d->containers[i].nmounts;
	logs = xmalloc((nlogs ? nlogs : 1) * sizeof(*logs));
	nlogs = 0;
	for (i = 0; i < d->ncontainers; i++)
		for (j = 0; j < d->containers[i].nmounts; j++) {
			const char *sv = d->containers[i].mounts[j].source_volume;
			if (sv && str_starts_with(sv, "awseb-logs-") &&
			    rd_find(declared, ndeclared, sv) < 0) {
				logs[nlogs].name = sv;
				logs[nlogs++].idx = i;
			}
		}
	dr_names_sort(logs, nlogs);
	for (i = 0; i < nlogs; i++) {
		char path[512];
		if (i && strcmp(logs[i].name, logs[i - 1].name) == 0)
			continue;
		snprintf(path, sizeof(path), "/var/log/containers/%s", logs[i].name + 11);
		json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name", logs[i].name,
		                                      "host", "sourcePath", path));
	}
	free(logs);
	free(declared);
	json_object_set_new(td, "volumes", vols);
	json_object_set_new(td, "networkMode", json_string("bridge"));
	json_object_set_new(td, "requiresCompatibilities", json_pack("[s]", "EC2"));
	if (json_is_string(json_object_get(d->root, "executionRoleArn")))
		json_object_set(td, "executionRoleArn",
		                json_object_get(d->root, "executionRoleArn"));
	if (o->nprops)
		sink_warn(o->sink,
		          "render: the environment's properties are not carried over to ECS: give "
		          "them as environment or secrets (Secrets Manager, SSM) of the task");
	rc = json_dumpf(td, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF
	         ? 0
	         : DR_RENDER_EWRITE;
	json_decref(td);
	return rc || ferror(f) ? DR_RENDER_EWRITE : 0;
}
