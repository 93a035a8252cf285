/*
 * The rule reference: every id ebctl reports, with its severity and one
 * line of description. docs/dockerrun-rules.md is generated from this table
 * (`ebctl validate --list-rules --format markdown`, dr_rules_print() below),
 * so it is the single source of truth for rule ids.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define E DR_ERROR
#define W DR_WARNING
#define F DR_SCOPE_FILE
#define B DR_SCOPE_BUNDLE

const struct dr_rule dr_rules[] = {
    /* File and version */
    {"json-syntax", E, false, F, "File and version",
     "valid JSON (UTF-8, no trailing commas), an object at the top level; reports line:column of "
     "the syntax error"},
    {"duplicate-key", W, false, F, "File and version",
     "a key appears twice in one object: only the last value counts (20 are listed, one more "
     "warning counts the rest)"},
    {"version-missing", E, false, F, "File and version",
     "`AWSEBDockerrunVersion` present, one of 1, 2, 3 (number or numeric string)"},
    {"version-string", W, false, F, "File and version",
     "version given as a string (`\"2\"`): accepted, but prefer the number"},
    {"version-shape", E, false, F, "File and version",
     "shape agrees with version: `containerDefinitions` in a v1 file, or v1 keys (`Image`, "
     "`Ports`, `Volumes`) in a v2 file; in a v3 file, where Elastic Beanstalk ignores them, "
     "they are `v3-shape` warnings instead"},
    {"unknown-key", W, false, F, "File and version",
     "a key the format does not know (typos such as `portMapping`), with a did-you-mean"},
    {"placeholder", W, false, F, "File and version",
     "an image name or port holds a template placeholder (`<ACCOUNT_ID>`, `$TAG`, `${TAG}`, "
     "`{{tag}}`, `%TAG%`) to substitute before deploying"},
    /* Version 1 */
    {"v1-image", E, false, F, "Version 1",
     "`Image.Name` required when the bundle has no Dockerfile"},
    {"v1-ports", E, true, F, "Version 1",
     "`Ports[0].ContainerPort` present when there is no Dockerfile; warning when more than one "
     "port is given (only the first is proxied)"},
    {"v1-auth", E, false, F, "Version 1",
     "`Authentication` needs string `Bucket` and `Key` (capitalised in v1)"},
    {"v1-volumes", E, false, F, "Version 1",
     "each `Volumes[]` item has `HostDirectory` and `ContainerDirectory`; `Logging` is a path "
     "string; `Image.Update` is \"true\"/\"false\""},
    /* Version 2 top level */
    {"containers-empty", E, false, F, "Version 2", "`containerDefinitions` is a non-empty array"},
    {"containers-many", W, false, F, "Version 2",
     "more than 10 containers (ECS: \"Too many containers\")"},
    {"volume-name", E, false, F, "Version 2",
     "`volumes[].name` present, unique, at most 255 of `[A-Za-z0-9_-]`; `host.sourcePath` not "
     "blank"},
    {"volume-unused", W, false, F, "Version 2", "a declared volume that no container mounts"},
    {"auth-v2", E, false, F, "Version 2",
     "`authentication` is `{bucket, key}`, both strings (lower case in v2)"},
    /* containerDefinitions[] */
    {"name-missing", E, false, F, "Containers",
     "`name` present and non-empty, at most 255 of `[A-Za-z0-9_-]`"},
    {"name-duplicate", E, false, F, "Containers", "container names unique (both places reported)"},
    {"image-missing", E, false, F, "Containers",
     "`image` present and non-empty, at most 255 characters, `[registry/]repo[:tag|@digest]`"},
    {"image-latest", W, false, F, "Containers",
     "image with no tag or `:latest`: deployments are not reproducible"},
    {"essential-none", E, false, F, "Containers",
     "at least one container is essential (omitted means true)"},
    {"memory-missing", E, false, F, "Containers",
     "`memory` or `memoryReservation` present, a positive integer (a value that is not an "
     "integer, a string such as `\"512\"` included, is a `type` error)"},
    {"memory-order", E, false, F, "Containers",
     "`memory` >= `memoryReservation` when both are set"},
    {"memory-small", W, false, F, "Containers", "memory below 4 MiB: the container cannot start"},
    {"type", E, false, F, "Containers",
     "`cpu`, `memory`, `memoryReservation` integers; `command`, `entryPoint`, `links`, "
     "`dnsServers`, `dnsSearchDomains`, "
     "`dockerSecurityOptions` arrays of strings; `essential`, `privileged`, "
     "`readonlyRootFilesystem` (the rules document's `readOnly`), `disableNetworking`, "
     "`interactive`, `pseudoTerminal` booleans; each container, and each item of "
     "`portMappings`, `mountPoints`, `volumesFrom`, an object, with integer `containerPort` "
     "and `hostPort`; `environment` an array"},
    {"env-entry", E, true, F, "Containers",
     "`environment[]` items are objects with string `name` and `value`; warning on duplicate "
     "names and on values that look like secrets"},
    {"log-driver", E, false, F, "Containers",
     "`logConfiguration.logDriver` present and known (json-file, syslog, journald, gelf, fluentd, "
     "awslogs, splunk, awsfirelens); `options` a string map"},
    {"health-check", W, false, F, "Containers",
     "`healthCheck` interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300, `command` an "
     "array of strings"},
    /* portMappings */
    {"port-range", E, false, F, "Port mappings",
     "`containerPort` required, integer 1-65535; `hostPort` integer 0-65535 (0 or absent = "
     "dynamic); a port that is not an integer is a `type` error"},
    {"port-protocol", E, false, F, "Port mappings", "`protocol` is tcp or udp (default tcp)"},
    {"host-port-clash", E, false, F, "Port mappings",
     "a host port is mapped once per protocol across all containers (both places reported)"},
    {"container-port-dup", E, false, F, "Port mappings",
     "a container port appears in one mapping per container and protocol"},
    {"host-port-reserved", W, false, F, "Port mappings",
     "static host port in the ephemeral range (32768-65535) or reserved (22, 2375, 2376, "
     "51678-51680)"},
    {"no-port-80", W, false, F, "Port mappings",
     "no container publishes host port 80: the environment's load balancer has nothing to "
     "reach (not claimed when a port mapping has the wrong type)"},
    /* links */
    {"link-target", E, false, F, "Links",
     "each entry is `name` or `name:alias`, and `name` is a container in this file"},
    {"link-self", E, false, F, "Links", "no container links to itself"},
    {"link-cycle", E, false, F, "Links",
     "no cycle through links (the cycle is printed: `a -> b -> a`)"},
    {"link-alias", W, false, F, "Links", "duplicate or invalid link alias"},
    /* mountPoints and volumesFrom */
    {"mount-volume", E, false, F, "Mounts",
     "`sourceVolume` and `containerPath` present; `sourceVolume` is a declared volume or "
     "`awseb-logs-<container>`"},
    {"mount-path", E, false, F, "Mounts",
     "`containerPath` absolute and mounted once per container; `readOnly` boolean"},
    {"volumes-from", E, false, F, "Mounts",
     "`volumesFrom[].sourceContainer` names another container of this file; `readOnly` "
     "boolean"},
    {"start-order-cycle", W, false, F, "Mounts",
     "a cycle through links and volumesFrom together: there is no start order"},
    /* Version 3 */
    {"v3-compose", E, false, F, "Version 3",
     "a v3 file needs a `docker-compose.yml` at the bundle root; it holds only `Authentication`"},
    {"v3-shape", W, false, F, "Version 3",
     "`containerDefinitions` or `Image` in a v3 file are ignored by Elastic Beanstalk"},
    /* Bundle level */
    {"bundle-root", E, false, B, "Bundle",
     "`Dockerrun.aws.json` (or `docker-compose.yml`) at the zip root, no parent folder"},
    {"bundle-size", E, false, B, "Bundle", "bundle at most 512 MB"},
    {"label", E, true, B, "Bundle",
     "version label 1-100 characters, no `/`; description at most 200 characters (truncated with a "
     "warning); environment name 4-40 characters"},
};
const size_t dr_nrules = EBCTL_ARRAY_LEN(dr_rules);

const struct dr_rule *dr_rule_find(const char *id)
{
	size_t i;
	for (i = 0; i < dr_nrules; i++)
		if (strcmp(dr_rules[i].id, id) == 0)
			return &dr_rules[i];
	return NULL;
}

const char *dr_severity_name(enum dr_severity s)
{
	return s == DR_ERROR ? "error" : "warning";
}

static const char *scope_name(const struct dr_rule *r)
{
	return r->scope == DR_SCOPE_FILE ? "validate" : "bundle";
}

int dr_rules_print(FILE *f, const char *format)
{
	size_t i;
	const char *section = NULL;
	if (strcmp(format, "json") == 0) {
		json_t *a = json_array();
		int rc;
		for (i = 0; i < dr_nrules; i++) {
			const struct dr_rule *r = &dr_rules[i];
			json_array_append_new(
			    a, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "id", r->id, "severity",
			                 dr_severity_name(r->severity), "also_warns", r->also_warns,
			                 "checked_by", scope_name(r), "section", r->section,
			                 "summary", r->summary));
		}
		rc = json_dumpf(a, f, JSON_INDENT(2));
		json_decref(a);
		fputc('\n', f);
		return rc || ferror(f) ? -1 : 0;
	}
	if (strcmp(format, "markdown") == 0) {
		fputs("# Dockerrun rule reference\n\n"
		      "Generated by `ebctl validate --list-rules --format markdown`; do not edit.\n"
		      "Severity **error** fails validation (exit 1); **warning** does not, unless\n"
		      "`--werror`. Rules marked *bundle* are checked by `ebctl bundle` and\n"
		      "`ebctl deploy` against the source bundle.\n",
		      f);
		for (i = 0; i < dr_nrules; i++) {
			const struct dr_rule *r = &dr_rules[i];
			if (!section || strcmp(section, r->section) != 0) {
				section = r->section;
				fprintf(f,
				        "\n## %s\n\n| id | severity | checked by | rule "
				        "|\n|---|---|---|---|\n",
				        section);
			}
			fprintf(f, "| `%s` | %s%s | %s | %s |\n", r->id,
			        dr_severity_name(r->severity), r->also_warns ? " (or warning)" : "",
			        scope_name(r), r->summary);
		}
		return ferror(f) ? -1 : 0;
	}
	if (strcmp(format, "text") == 0) {
		for (i = 0; i < dr_nrules; i++)
			fprintf(f, "%-20s %-8s %s\n", dr_rules[i].id,
			        dr_severity_name(dr_rules[i].severity), dr_rules[i].summary);
		return ferror(f) ? -1 : 0;
	}
	errno = EINVAL;
	return -1;
}
