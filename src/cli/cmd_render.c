/* ebctl render: a version 2 Dockerrun file as docker-compose, Kubernetes
 * manifests or an ECS task definition. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/cli.h"
#include "ebctl/dockerrun.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

/* --replicas NAME=N, each; usage error when one is not. */
static int parse_replicas(const struct strlist *l, struct dr_replica *out)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		char *eq = strrchr(l->v[i], '=');
		unsigned long n;
		if (!eq || eq == l->v[i] || parse_ulong(eq + 1, 1, 100000, &n) != 0)
			return usage_error("render",
			                   "--replicas takes NAME=N (N from 1 to 100000), "
			                   "not '%s'",
			                   l->v[i]);
		*eq = 0;
		out[i].name = l->v[i];
		out[i].n = (long)n;
	}
	return 0;
}

/* The directory part of path ("." when there is none); caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* A file only its owner reads (it holds the environment's secrets). */
static FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;
	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "w"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* A value as python-dotenv and Compose read it back: single-quoted, with
 * ' and \ escaped. */
static void env_value(FILE *f, const char *v)
{
	fputc('\'', f);
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('\'', f);
}

/* The compose .env file of the properties; 0, or -1 after errorf. */
static int write_env_file(const char *path, const struct dr_prop *p, size_t n)
{
	FILE *f = open_private(path);
	size_t i;
	if (!f) {
		errorf("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strchr(p[i].value, '\n') || strchr(p[i].value, '\r')) {
			warnf("render: property '%s' has a line break, which a .env file cannot "
			      "hold; not carried over",
			      p[i].name);
			continue;
		}
		fprintf(f, "%s=", p[i].name);
		env_value(f, p[i].value);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		errorf("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The family of an ECS task definition: letters, digits, '-' and '_'. */
static char *family_of(const char *app, const char *file)
{
	char *dir = NULL, *out, *p;
	const char *base = app;
	if (!base) {
		char *d = dir_of(strcmp(file, "-") == 0 ? NULL : file);
		char cwd[4096];
		if (strcmp(d, ".") == 0 && getcwd(cwd, sizeof(cwd))) {
			free(d);
			d = xstrdup(cwd);
		}
		dir = d;
		base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	}
	out = xstrdup(*base ? base : "app");
	for (p = out; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '-';
	if (strlen(out) > 255)
		out[255] = 0;
	free(dir);
	return out;
}

int cmd_render(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "render",
	    "--to compose|k8s|ecs [--replicas NAME=N]... [--from-env ENV] [-o FILE] [FILE|DIR]",
	    "FILE defaults to ./Dockerrun.aws.json; a DIR means the Dockerrun.aws.json in it.\n"
	    "compose: one service per container, to run the app locally (like 'eb local run');\n"
	    "host paths under /var/app/current become relative, awseb-logs-NAME becomes\n"
	    "./logs/NAME, an essential container restarts always, '$' is written '$$'.\n"
	    "k8s: a Deployment per container (containers joined by volumesFrom share one Pod,\n"
	    "with an emptyDir for the shared paths), a Service per container that has ports\n"
	    "or is linked to, on the container port, and one per link alias; host port 80\n"
	    "becomes a LoadBalancer Service.\n"
	    "ecs: the RegisterTaskDefinition input (JSON) Elastic Beanstalk registers.\n"
	    "--replicas NAME=N sets the replicas of a container's Deployment (k8s) or its\n"
	    "deploy.replicas (compose, where its fixed host ports are dropped).\n"
	    "--from-env ENV reads the environment's properties: k8s writes them as a\n"
	    "ConfigMap and a Secret (keys that look secret) taken with envFrom; compose\n"
	    "writes them to .env (mode 0600) beside the output, taken with env_file.\n"
	    "Every field that cannot be carried over is named in a warning on stderr. The\n"
	    "file must pass 'ebctl validate' (errors are printed, exit 1)."};
	const char *to = NULL, *output = NULL;
	struct strlist replicas_arg = {NULL, 0};
	struct op_target t = {0};
	const struct opt opts[] = {
	    OPTION_CHOICE("to", 't', &to, "FORMAT", "what to write", NULL, "compose,k8s,ecs"),
	    OPTION_STRING("output", 'o', &output, "FILE", "write there instead of stdout", NULL),
	    OPTION_LIST("replicas", 0, &replicas_arg, "NAME=N", "replicas of a container", NULL),
	    OPTION_STRING("from-env", 0, &t.env, "ENV", "take the properties of this environment",
	                  NULL),
	    OPTION_STRING("app", 'a', &t.app, "NAME", "application name (ecs: the family)",
	                  "EBCTL_APP"),
	    OP_ACCOUNT_OPTS(t),
	    OPTION_END};
	struct dr_document doc;
	struct dr_report r;
	struct dr_render_opts ro;
	struct dr_replica *replicas = NULL;
	struct dr_prop *props = NULL;
	struct eb_option_settings all = {NULL, 0, 0};
	const struct eb_option_setting **settings = NULL;
	char *family = NULL, *env_path = NULL, *file = NULL;
	size_t i;
	int n, rc;
	FILE *out = stdout;

	dr_document_init(&doc);
	dr_report_init(&r);
	memset(&ro, 0, sizeof(ro));
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (!to)
		rc = usage_error("render", "--to compose, --to k8s or --to ecs is required");
	else if (n > 1)
		rc = usage_error("render", "one FILE at a time");
	else if (n == 0 && access("Dockerrun.aws.json", F_OK) != 0)
		rc = usage_error("render", "no FILE given and no Dockerrun.aws.json here (use '-' "
		                           "for standard input)");
	else
		rc = parse_replicas(&replicas_arg,
		                    replicas = xcalloc(replicas_arg.n + 1, sizeof(*replicas)));
	if (rc)
		goto out;
	ro.to = strcmp(to, "k8s") == 0   ? DR_RENDER_K8S
	        : strcmp(to, "ecs") == 0 ? DR_RENDER_ECS
	                                 : DR_RENDER_COMPOSE;
	ro.replicas = replicas;
	ro.nreplicas = replicas_arg.n;
	ro.sink = cli_sink();
	file = dockerrun_path(n ? argv[1] : NULL);
	rc = dockerrun_validate_file(file, NULL, &doc, &r);
	if (rc < 0) {
		errorf("cannot open '%s': %s", file,
		       errno == EFBIG ? "larger than 8 MiB" : strerror(errno));
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	rc = EBCTL_ERR_INVALID;
	if (r.errors) {
		dr_report_print(stderr, &r, DR_FORMAT_TEXT, term_use_color(stderr));
		errorf("'%s' has errors; fix them before rendering", r.file);
		goto out;
	}
	if (doc.version != 2) {
		errorf("'%s' is a version %d file; render takes version 2 (containerDefinitions)",
		       r.file, doc.version);
		goto out;
	}
	ro.source = r.file;
	ro.family = family = family_of(t.app, file);
	if (t.env) {
		size_t np;
		interrupt_install();
		if ((rc = cli_target_open(&t, "render", OP_NEED_APP)) ||
		    (rc = envprop_fetch(&t, &all, &settings, &np)))
			goto out;
		rc = EBCTL_ERR_INVALID;
		props = xcalloc(np + 1, sizeof(*props));
		for (i = 0; i < np; i++) {
			props[i].name = settings[i]->name;
			props[i].value = settings[i]->value ? settings[i]->value : "";
		}
		ro.props = props;
		ro.nprops = np;
		ro.props_name = t.env;
		if (ro.to == DR_RENDER_COMPOSE) {
			char *dir = dir_of(output);
			env_path = xmalloc(strlen(dir) + 6);
			sprintf(env_path, "%s/.env", dir);
			free(dir);
			if (write_env_file(env_path, props, np) != 0)
				goto out;
			notef("render: the properties of '%s' are in '%s' (mode 0600)", t.env,
			      env_path);
			ro.env_file = ".env";
		}
	}
	/* with the properties, a Kubernetes Secret is in the output */
	if (output &&
	    !(out = t.env && ro.to == DR_RENDER_K8S ? open_private(output) : fopen(output, "w"))) {
		errorf("cannot write '%s': %s", output, strerror(errno));
		out = stdout;
		goto out;
	}
	rc = dr_render(out, &doc, &ro);
	if (!output) {
		if (rc == DR_RENDER_EINVAL)
			rc = EBCTL_ERR_INVALID;
		else if (rc != 0 && !ferror(stdout)) {
			errorf("cannot render '%s'", file);
			rc = EBCTL_ERR_INVALID;
		} else
			rc = out_finish(); /* a closed pipe ends quietly */
		goto out;
	}
	n = fclose(out);
	out = stdout;
	if (rc == DR_RENDER_EINVAL) {
		rc = EBCTL_ERR_INVALID;
	} else if (n != 0 || rc != 0) {
		errorf("cannot write '%s': %s", output, strerror(errno));
		rc = EBCTL_ERR_INVALID;
	} else {
		rc = EBCTL_OK;
	}
out:
	if (out != stdout)
		fclose(out);
	free(props);
	free(settings);
	eb_option_settings_cleanup(&all);
	op_target_close(&t);
	free(replicas);
	free(family);
	free(env_path);
	free(file);
	strlist_cleanup(&replicas_arg);
	dr_report_cleanup(&r);
	dr_document_cleanup(&doc);
	return rc;
}
