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

int cmd_printenv(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "printenv", "[--reveal|--mask-all] [--format text|json] [KEY...]",
	    "print environment properties (secrets masked unless --reveal)",
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
	    "Secrets Manager or SSM Parameter Store, and ebctl never does."};
	struct op_target t = {0};
	bool reveal = false, mask_all = false;
	const char *format = "text";
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    {"reveal", 0, OPT_BOOL, &reveal, NULL, "print the values of secrets too", NULL, 0, 0,
	     NULL},
	    {"mask-all", 0, OPT_BOOL, &mask_all, NULL, "mask every value, not only secrets'", NULL,
	     0, 0, NULL},
	    {"format", 0, OPT_CHOICE, &format, "FORMAT", "text or json", "EBCTL_FORMAT", 0, 0,
	     "text,json"},
	    {NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL},
	};
	struct eb_option_settings all = {NULL, 0, 0};
	const struct eb_option_setting **props = NULL;
	struct strlist secret_lines = {NULL, 0}, secret_arns = {NULL, 0};
	size_t nprops = 0, i;
	int rc, n, k;
	bool json = false, masked = false;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (reveal && mask_all)
		return usage_error("printenv", "--reveal and --mask-all exclude each other");
	json = strcmp(format, "json") == 0;
	for (k = 1; k <= n; k++)
		if (!envprop_key_valid(argv[k]))
			return usage_error("printenv", "invalid property name '%s'", argv[k]);
	interrupt_install();
	if ((rc = op_target_open(&t, "printenv", OP_NEED_APP)))
		goto out;
	if ((rc = envprop_fetch(&t, &all, &props, &nprops)))
		goto out;
	if (n > 0) { /* only the keys asked for, in name order still */
		size_t kept = 0;
		for (i = 0; i < nprops; i++) {
			bool wanted = false;
			for (k = 1; k <= n && !wanted; k++)
				wanted = strcmp(argv[k], props[i]->name) == 0;
			if (wanted)
				props[kept++] = props[i];
		}
		nprops = kept;
	}
	for (i = 0; i < all.n; i++) {
		const struct eb_option_setting *s = &all.v[i];
		bool wanted = n == 0;
		if (strcmp(s->ns, ENVPROP_SECRETS_NAMESPACE) != 0 || !s->name)
			continue;
		for (k = 1; k <= n && !wanted; k++)
			wanted = strcmp(argv[k], s->name) == 0;
		if (wanted)
			strlist_add(&secret_lines, s->name);
		if (wanted)
			strlist_add(&secret_arns, s->value ? s->value : "");
	}
	for (k = 1; k <= n; k++) {
		if (!eb_option_settings_find(&all, ENVPROP_NAMESPACE, argv[k]) &&
		    !eb_option_settings_find(&all, ENVPROP_SECRETS_NAMESPACE, argv[k])) {
			errorf("property '%s' is not set on environment '%s'", argv[k], t.env);
			rc = EB_EXIT_INVALID;
		}
	}
	if (json) {
		json_t *o = json_object();
		for (i = 0; i < nprops; i++)
			json_object_set_new(
			    o, props[i]->name,
			    json_string_lossy(envprop_display(props[i]->value,
			                                      shown(props[i], reveal, mask_all))));
		for (i = 0; i < secret_lines.n; i++) {
			char *v = xasprintf("(secret %s)", secret_arns.v[i]);
			json_object_set_new(o, secret_lines.v[i], json_string_lossy(v));
			free(v);
		}
		out_json(o);
	} else {
		for (i = 0; i < nprops; i++) {
			bool show = shown(props[i], reveal, mask_all);
			char *v = show ? shell_quote(envprop_display(props[i]->value, true))
			               : xstrdup(envprop_display(props[i]->value, false));
			out_line("%s=%s\n", props[i]->name, v);
			free_secret(v);
		}
		for (i = 0; i < secret_lines.n; i++)
			out_line("%s=(secret %s)\n", secret_lines.v[i], secret_arns.v[i]);
	}
	for (i = 0; i < nprops; i++)
		masked = masked || (props[i]->value && *props[i]->value &&
		                    !shown(props[i], reveal, mask_all));
	if (masked && isatty(STDERR_FILENO))
		notef("values are masked; --reveal prints them");
out:
	free(props);
	strlist_free(&secret_lines);
	strlist_free(&secret_arns);
	eb_option_settings_free(&all);
	op_target_close(&t);
	return rc;
}
