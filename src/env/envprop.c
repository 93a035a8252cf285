/* Environment properties: `setenv` arguments and `printenv` masking. */
#include "ebctl/aws.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

bool envprop_key_valid(const char *key)
{
	size_t n = strlen(key);
	const char *p;
	if (n == 0 || n > ENVPROP_KEY_MAX)
		return false;
	for (p = key; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_.:/+\\-@", c)))
			return false;
	}
	return true;
}

int envprop_parse(const char *arg, struct envprop *out, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (!eq) {
		/* No '=': the whole argument may be a secret pasted in the wrong place. */
		if (envprop_key_valid(arg))
			snprintf(err, errlen,
			         "'%s' needs a value: write '%s=VALUE', or '%s=' to remove it", arg,
			         arg, arg);
		else
			snprintf(err, errlen,
			         "expected KEY=VALUE or KEY=, got an argument without '='");
		return -1;
	}
	key = xstrndup(arg, (size_t)(eq - arg));
	if (!*key) {
		snprintf(err, errlen, "expected KEY=VALUE, got an empty key");
		free(key);
		return -1;
	}
	if (!envprop_key_valid(key)) {
		if (strlen(key) > ENVPROP_KEY_MAX)
			snprintf(err, errlen,
			         "property name '%.40s...' is longer than %d characters", key,
			         ENVPROP_KEY_MAX);
		else
			snprintf(
			    err, errlen,
			    "invalid property name '%s': use letters, digits and _ . : / + \\ - @",
			    key);
		free(key);
		return -1;
	}
	if (strlen(eq + 1) > ENVPROP_VALUE_MAX) {
		snprintf(err, errlen, "the value of '%s' is longer than %d bytes", key,
		         ENVPROP_VALUE_MAX);
		free(key);
		return -1;
	}
	out->key = key;
	out->value = eq[1] ? xstrdup(eq + 1) : NULL;
	return 0;
}

void envprop_cleanup(struct envprop *p)
{
	free(p->key);
	free_secret(p->value);
	p->key = p->value = NULL;
}

const char *envprop_display(const char *value, bool reveal)
{
	if (!value || !*value)
		return "";
	return reveal ? value : "********";
}

static int cmp_setting(const void *a, const void *b)
{
	const struct eb_option_setting *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

int envprop_fetch(struct op_target *t, struct eb_option_settings *all,
                  const struct eb_option_setting ***props, size_t *nprops)
{
	struct aws_error err;
	size_t i;
	*props = NULL;
	*nprops = 0;
	aws_error_clear(&err);
	if (eb_describe_configuration_settings(t->client, t->app, t->env, all, &err))
		return op_aws_fail(&err, t->sink);
	*props = xcalloc(all->n + 1, sizeof(**props));
	for (i = 0; i < all->n; i++) {
		const struct eb_option_setting *s = &all->v[i];
		if (s->ns && strcmp(s->ns, ENVPROP_NAMESPACE) == 0 && s->name)
			(*props)[(*nprops)++] = s;
	}
	qsort(*props, *nprops, sizeof(**props), cmp_setting);
	return 0;
}
