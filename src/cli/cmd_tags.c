/* ebctl tags: an environment's tags; KEY=VALUE adds or changes, KEY= removes. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int cmd_tags(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "tags", "--env NAME [KEY=VALUE...] [KEY=...] [--format text|json]",
	    "Without arguments, lists the tags (KEY=VALUE, sorted). KEY=VALUE adds a tag or\n"
	    "changes its value, KEY= removes it, all in one UpdateTagsForResource; the tags\n"
	    "are listed after. Elastic Beanstalk's own tags (elasticbeanstalk:*) cannot be\n"
	    "changed."};
	struct op_target t = {0};
	const char *format = "text";
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_END,
	};
	struct eb_tags add = {NULL, 0}, remove = {NULL, 0}, now = {NULL, 0};
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	const char *arn;
	int rc, n, i;
	size_t k;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	for (i = 1; i <= n; i++) {
		const char *eq = strchr(argv[i], '=');
		char *key;
		if (!eq || eq == argv[i]) {
			rc = usage_error("tags", "give KEY=VALUE to add, KEY= to remove, not '%s'",
			                 argv[i]);
			goto out;
		}
		key = xstrndup(argv[i], (size_t)(eq - argv[i]));
		if (!strncmp(key, "elasticbeanstalk:", 17) || !strncmp(key, "aws:", 4)) {
			rc = usage_error("tags", "'%s' is Elastic Beanstalk's own tag", key);
			free(key);
			goto out;
		}
		eb_tags_add(eq[1] ? &add : &remove, key, eq[1] ? eq + 1 : NULL);
		free(key);
	}
	interrupt_install();
	if ((rc = cli_target_open(&t, "tags", 0)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	arn = envs.v[0].arn;
	if (!arn) {
		errorf("environment '%s' has no ARN in the answer", t.env);
		rc = EBCTL_ERR_AWS;
		goto out;
	}
	aws_error_clear(&err);
	if ((add.n || remove.n) &&
	    eb_update_tags(t.client, arn, add.n ? &add : NULL, remove.n ? &remove : NULL, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	if (eb_list_tags(t.client, arn, &now, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	if (!strcmp(format, "json")) {
		json_t *o = json_object();
		for (k = 0; k < now.n; k++)
			json_object_set_new(o, now.v[k].key, out_json_string(now.v[k].value));
		out_json(o);
	} else {
		for (k = 0; k < now.n; k++)
			out_line("%s=%s\n", now.v[k].key, now.v[k].value ? now.v[k].value : "");
	}
out:
	eb_tags_cleanup(&add);
	eb_tags_cleanup(&remove);
	eb_tags_cleanup(&now);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
