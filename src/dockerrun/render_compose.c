/*
 * docker-compose from a version 2 Dockerrun file: one service per container
 * (image, ports, links with aliases, environment, volumes with
 * /var/app/current made relative, awseb-logs-X as ./logs/X, volumes_from,
 * memory limits, cpu shares, essential as the restart policy, command,
 * entrypoint, hostname, working_dir, user, privileged, dns, extra_hosts,
 * healthcheck, ulimits, logging, stdin_open, tty, labels,
 * stop_grace_period, read_only, cap_add/cap_drop). A '$' in a value is
 * written '$$': docker-compose substitutes host variables into '$NAME',
 * ECS never did. Anything else is named in a warning.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

static const char *str_or_empty(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* A number of seconds as a compose duration ("30s"). */
static void seconds(struct em *m, const char *k, long s)
{
	char b[32];
	snprintf(b, sizeof(b), "%lds", s);
	em_kv(m, k, b);
}

static void compose_health(struct em *m, const json_t *h)
{
	long n;
	const json_t *cmd = json_object_get(h, "command");
	if (!json_is_object(h) || !json_is_array(cmd) || json_array_size(cmd) == 0)
		return;
	em_key(m, "healthcheck");
	em_map_start(m);
	em_string_array(m, "test", cmd); /* CMD / CMD-SHELL / NONE, as Docker takes them */
	if (rd_obj_int(h, "interval", &n))
		seconds(m, "interval", n);
	if (rd_obj_int(h, "timeout", &n))
		seconds(m, "timeout", n);
	if (rd_obj_int(h, "retries", &n)) {
		em_key(m, "retries");
		em_num(m, n);
	}
	if (rd_obj_int(h, "startPeriod", &n))
		seconds(m, "start_period", n);
	em_map_end(m);
}

static void compose_extras(struct em *m, const struct dr_container *c)
{
	const json_t *v;
	size_t i;
	long n;
	struct buf b = BUF_INIT;

	v = json_object_get(c->json, "extraHosts");
	if (json_is_array(v) && json_array_size(v)) {
		em_key(m, "extra_hosts");
		em_seq_start(m);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *h = json_array_get(v, i);
			buf_reset(&b);
			buf_printf(&b, "%s:%s", str_or_empty(json_object_get(h, "hostname")),
			           str_or_empty(json_object_get(h, "ipAddress")));
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	compose_health(m, json_object_get(c->json, "healthCheck"));
	v = json_object_get(c->json, "ulimits");
	if (json_is_array(v) && json_array_size(v)) {
		em_key(m, "ulimits");
		em_map_start(m);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *u = json_array_get(v, i);
			const char *name = json_string_value(json_object_get(u, "name"));
			if (!name)
				continue;
			em_key(m, name);
			em_map_start(m);
			if (rd_obj_int(u, "softLimit", &n)) {
				em_key(m, "soft");
				em_num(m, n);
			}
			if (rd_obj_int(u, "hardLimit", &n)) {
				em_key(m, "hard");
				em_num(m, n);
			}
			em_map_end(m);
		}
		em_map_end(m);
	}
	v = json_object_get(c->json, "logConfiguration");
	if (json_is_object(v) && json_string_value(json_object_get(v, "logDriver"))) {
		em_key(m, "logging");
		em_map_start(m);
		em_kv(m, "driver", json_string_value(json_object_get(v, "logDriver")));
		em_string_map(m, "options", json_object_get(v, "options"));
		em_map_end(m);
	}
	em_flag(m, "stdin_open", rd_true(c, "interactive"));
	em_flag(m, "tty", rd_true(c, "pseudoTerminal"));
	em_string_map(m, "labels", json_object_get(c->json, "dockerLabels"));
	if (rd_int(c, "stopTimeout", &n))
		seconds(m, "stop_grace_period", n);
	em_flag(m, "read_only", rd_true(c, "readonlyRootFilesystem"));
	v = json_object_get(json_object_get(c->json, "linuxParameters"), "capabilities");
	if (json_is_object(v)) {
		const json_t *add = json_object_get(v, "add"), *drop = json_object_get(v, "drop");
		if (json_array_size(add))
			em_string_array(m, "cap_add", add);
		if (json_array_size(drop))
			em_string_array(m, "cap_drop", drop);
	}
	buf_cleanup(&b);
}

static void compose_service(struct em *m, const struct dr_document *d, const struct dr_container *c,
                            const struct dr_name *vols, size_t nvols, bool *named_volumes,
                            const struct dr_render_opts *o)
{
	static const char *const carried[] = {"hostname",         "user", "dnsServers", "ulimits",
	                                      "logConfiguration", NULL};
	struct buf b = BUF_INIT;
	size_t i;
	long replicas = rd_replicas_of(o, c);
	bool dropped_port = false;

	em_key(m, c->name);
	em_map_start(m);
	em_kv(m, "image", c->image);
	if (c->nports) {
		em_key(m, "ports");
		em_seq_start(m);
		for (i = 0; i < c->nports; i++) {
			const struct dr_port *p = &c->ports[i];
			buf_reset(&b);
			/* one host port cannot take several replicas: let Docker pick */
			if (p->host_port && replicas > 1)
				dropped_port = true;
			else if (p->host_port)
				buf_printf(&b, "%ld:", p->host_port);
			buf_printf(&b, "%ld/%s", p->container_port, p->protocol);
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (dropped_port)
		sink_warn(o->sink,
		          "render: the fixed host ports of container '%s' are left to Docker to "
		          "pick: one host port cannot take %ld replicas",
		          c->name, replicas);
	if (c->nlinks) {
		em_key(m, "links");
		em_seq_start(m);
		for (i = 0; i < c->nlinks; i++) {
			buf_reset(&b);
			buf_puts(&b, c->links[i].target);
			if (c->links[i].alias)
				buf_printf(&b, ":%s", c->links[i].alias);
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (o->env_file) {
		em_key(m, "env_file");
		em_seq_start(m);
		em_str(m, o->env_file);
		em_seq_end(m);
	}
	if (c->nenv) {
		em_key(m, "environment");
		em_map_start(m);
		for (i = 0; i < c->nenv; i++)
			em_kv(m, c->env[i].name, c->env[i].value);
		em_map_end(m);
	}
	if (c->nmounts) {
		em_key(m, "volumes");
		em_seq_start(m);
		for (i = 0; i < c->nmounts; i++) {
			const struct dr_mount *mp = &c->mounts[i];
			long vk = rd_find(vols, nvols, mp->source_volume);
			const struct dr_volume *vol = vk >= 0 ? &d->volumes[vk] : NULL;
			buf_reset(&b);
			if (str_starts_with(mp->source_volume, "awseb-logs-")) {
				buf_printf(&b, "./logs/%s", mp->source_volume + 11);
			} else if (vol && vol->source_path) {
				const char *sp = vol->source_path;
				if (str_starts_with(sp, "/var/app/current") &&
				    (sp[16] == 0 || sp[16] == '/'))
					buf_printf(&b, ".%s", sp + 16);
				else
					buf_puts(&b, sp);
			} else {
				buf_puts(&b, mp->source_volume);
				*named_volumes = true;
			}
			buf_printf(&b, ":%s%s", mp->container_path, mp->read_only ? ":ro" : "");
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (c->nvolumes_from) {
		em_key(m, "volumes_from");
		em_seq_start(m);
		for (i = 0; i < c->nvolumes_from; i++) {
			buf_reset(&b);
			buf_printf(&b, "%s%s", c->volumes_from[i].source_container,
			           c->volumes_from[i].read_only ? ":ro" : "");
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (c->has_memory) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory);
		em_kv(m, "mem_limit", buf_cstr(&b));
	}
	if (c->has_memory_reservation) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory_reservation);
		em_kv(m, "mem_reservation", buf_cstr(&b));
	}
	if (c->cpu > 0) {
		em_key(m, "cpu_shares");
		em_num(m, c->cpu);
	}
	em_string_array(m, "command", c->command);
	em_string_array(m, "entrypoint", c->entry_point);
	if (rd_str(c, "hostname"))
		em_kv(m, "hostname", rd_str(c, "hostname"));
	if (rd_str(c, "workingDirectory"))
		em_kv(m, "working_dir", rd_str(c, "workingDirectory"));
	if (rd_str(c, "user"))
		em_kv(m, "user", rd_str(c, "user"));
	em_flag(m, "privileged", rd_true(c, "privileged"));
	em_string_array(m, "dns", json_object_get(c->json, "dnsServers"));
	compose_extras(m, c);
	if (replicas > 0) {
		em_key(m, "deploy");
		em_map_start(m);
		em_key(m, "replicas");
		em_num(m, replicas);
		em_map_end(m);
	}
	/* an essential container keeps the task up: locally, restart it */
	em_kv(m, "restart", c->essential ? "always" : "no");
	em_map_end(m);
	rd_warn_dropped(o->sink, c, carried, "compose");
	rd_warn_linux_parameters(o->sink, c, "compose");
	buf_cleanup(&b);
}

int rd_render_compose(struct em *m, const struct dr_document *d, const struct dr_render_opts *o)
{
	size_t i, nvols;
	bool named = false;
	struct dr_name *vols = rd_volumes_sorted(d, &nvols);
	m->dollar = true;
	em_begin(m);
	em_doc_start(m);
	em_map_start(m);
	em_key(m, "services");
	em_map_start(m);
	for (i = 0; i < d->ncontainers; i++)
		compose_service(m, d, &d->containers[i], vols, nvols, &named, o);
	em_map_end(m);
	free(vols);
	if (named) {
		em_key(m, "volumes");
		em_map_start(m);
		for (i = 0; i < d->nvolumes; i++)
			if (d->volumes[i].name && !d->volumes[i].source_path) {
				em_key(m, d->volumes[i].name);
				em_map_start(m);
				em_map_end(m);
			}
		em_map_end(m);
	}
	em_map_end(m);
	em_doc_end(m);
	em_end(m);
	return 0;
}
