/* ebctl printenv: an environment's properties, masked unless --reveal. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/doctor.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether a property's value is printed: a secret's only with --reveal. */
static bool shown(const struct eb_option_setting *s, bool reveal, bool mask_all)
{
	if (reveal)
		return true;
	return !mask_all && !doctor_looks_secret(s->name, s->value);
}

/* v as one shell word: bare when it is made of safe characters only,
 * else in single quotes (a ' as '\''). Caller frees. */
static char *shell_quote(const char *v)
{
	struct buf b = BUF_INIT;
	if (*v &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+,=-") ==
	        strlen(v))
		return xstrdup(v);
	buf_putc(&b, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			buf_puts(&b, "'\\''");
		else
			buf_putc(&b, *v);
	}
	buf_putc(&b, '\'');
	return buf_detach(&b, NULL);
}

struct print_opts {
	bool reveal, mask_all, json;
	char **keys; /* the KEY arguments */
	int nkeys;
};

static bool wanted_key(const struct print_opts *p, const char *name)
{
	int k;
	if (p->nkeys == 0)
		return true;
	for (k = 0; k < p->nkeys; k++)
		if (strcmp(p->keys[k], name) == 0)
			return true;
	return false;
}

/* One environment's properties: into obj (JSON) or as lines on stdout.
 * *masked is set when a value was hidden. Returns the status. */
static int print_env(struct op_target *t, const struct print_opts *p, json_t *obj, bool *masked)
{
	struct eb_option_settings all = {NULL, 0, 0};
	const struct eb_option_setting **props = NULL;
	size_t nprops = 0, kept = 0, i;
	int rc, k;

	if ((rc = envprop_fetch(t, &all, &props, &nprops)))
		goto out;
	for (i = 0; i < nprops; i++) /* only the keys asked for, in name order still */
		if (wanted_key(p, props[i]->name))
			props[kept++] = props[i];
	nprops = kept;
	for (k = 0; k < p->nkeys; k++) {
		if (!eb_option_settings_find(&all, ENVPROP_NAMESPACE, p->keys[k]) &&
		    !eb_option_settings_find(&all, ENVPROP_SECRETS_NAMESPACE, p->keys[k])) {
			errorf("property '%s' is not set on environment '%s'", p->keys[k], t->env);
			rc = EBCTL_ERR_INVALID;
		}
	}
	for (i = 0; i < nprops; i++) {
		bool show = shown(props[i], p->reveal, p->mask_all);
		const char *shown_value = envprop_display(props[i]->value, show);
		*masked = *masked || (props[i]->value && *props[i]->value && !show);
		if (p->json) {
			json_object_set_new(obj, props[i]->name, out_json_string(shown_value));
		} else {
			char *v = show ? shell_quote(shown_value) : xstrdup(shown_value);
			out_line("%s=%s\n", props[i]->name, v);
			free_secret(v);
		}
	}
	for (i = 0; i < all.n; i++) {
		const struct eb_option_setting *s = &all.v[i];
		char *v;
		if (strcmp(s->ns, ENVPROP_SECRETS_NAMESPACE) != 0 || !s->name ||
		    !wanted_key(p, s->name))
			continue;
		v = xasprintf("(secret %s)", s->value ? s->value : "");
		if (p->json)
			json_object_set_new(obj, s->name, out_json_string(v));
		else
			out_line("%s=%s\n", s->name, v);
		free(v);
	}
out:
	free(props);
	eb_option_settings_cleanup(&all);
	return rc;
}

int cmd_printenv(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "printenv",
	    "[--env NAME[,NAME...]] [--reveal|--mask-all] [--format text|json] [KEY...]",
	    "Prints the environment properties (option settings in the namespace\n"
	    "aws:elasticbeanstalk:application:environment) as KEY=VALUE lines sorted by\n"
	    "key, or one JSON object with --format json. The values of secret-looking\n"
	    "properties (PASSWORD, SECRET, TOKEN, *_KEY, credentials, a URL with a\n"
	    "password: the test doctor's secret.plaintext uses) are replaced by ********\n"
	    "unless --reveal is given; --mask-all masks every value. Text values are\n"
	    "shell-quoted where needed (KEY='p@ss w0rd'), so the output can be sourced.\n"
	    "With KEY arguments only those are printed, and a key that is not set is\n"
	    "an error (exit 1). Keys of aws:elasticbeanstalk:application:environmentsecrets\n"
	    "are listed too, as KEY=(secret ARN): the instances read their values from\n"
	    "Secrets Manager or SSM Parameter Store, and ebctl never does. With several\n"
	    "environments (--env a,b or --env repeated) each one's lines follow a\n"
	    "'# NAME' comment line, and the JSON is one object per environment, keyed\n"
	    "by its name."};
	struct op_target t = {0};
	struct strlist envs = {NULL, 0};
	struct print_opts p = {false, false, false, NULL, 0};
	const char *format = "text";
	const struct opt opts[] = {
	    OP_TARGET_ENVS_OPTS(t, envs),
	    OPTION_BOOL("reveal", 0, &p.reveal, "print the values of secrets too", NULL),
	    OPTION_BOOL("mask-all", 0, &p.mask_all, "mask every value, not only secrets'", NULL),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_END,
	};
	json_t *root = NULL;
	bool masked = false, several;
	size_t i;
	int rc = 0, r, n, k;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (p.reveal && p.mask_all) {
		rc = usage_error("printenv", "--reveal and --mask-all exclude each other");
		goto out;
	}
	p.json = strcmp(format, "json") == 0;
	p.keys = argv + 1;
	p.nkeys = n;
	for (k = 0; k < n; k++) {
		if (!envprop_key_valid(p.keys[k])) {
			rc = usage_error("printenv", "invalid property name '%s'", p.keys[k]);
			goto out;
		}
	}
	interrupt_install();
	t.env = envs.n ? envs.v[0] : NULL;
	if ((rc = cli_target_open(&t, "printenv", OP_NEED_APP)))
		goto out;
	several = envs.n > 1;
	if (several) { /* every name is checked before anything is printed */
		struct eb_environments records = {NULL, 0};
		rc = op_describe_envs(&t, (const char *const *)envs.v, envs.n, &records);
		eb_environments_cleanup(&records);
		if (rc)
			goto out;
	}
	root = p.json ? json_object() : NULL;
	for (i = 0; i < (several ? envs.n : 1); i++) {
		json_t *obj = NULL;
		if (several)
			t.env = envs.v[i];
		if (p.json)
			obj = several ? json_object() : json_incref(root);
		else if (several)
			out_line("%s# %s\n", i ? "\n" : "", t.env);
		r = print_env(&t, &p, obj, &masked);
		if (r) /* a missing key (1), or AWS could not be read and the loop ends */
			rc = r;
		if (several && obj)
			json_object_set(root, t.env, obj);
		json_decref(obj);
		if (r && r != EBCTL_ERR_INVALID) /* AWS could not be read: stop there */
			break;
	}
	if (root && (rc == 0 || rc == EBCTL_ERR_INVALID))
		out_json(root);
	else
		json_decref(root);
	if (masked && isatty(STDERR_FILENO))
		notef("values are masked; --reveal prints them");
out:
	strlist_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
