/* ebctl validate: check Dockerrun.aws.json files (docs/validate.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/cli.h"
#include "ebctl/dockerrun.h"
#include "ebctl/util.h"

/* One line per file on stderr; with --werror, warnings fail it too. */
static void summary(const struct dr_report *r, bool werror)
{
	if (r->errors)
		notef("'%s' has %zu error%s and %zu warning%s", r->file, r->errors,
		      r->errors == 1 ? "" : "s", r->warnings, r->warnings == 1 ? "" : "s");
	else if (r->warnings && werror)
		notef("'%s' fails with --werror: %zu warning%s", r->file, r->warnings,
		      r->warnings == 1 ? "" : "s");
	else if (r->warnings)
		notef("'%s' is valid (%zu warning%s)", r->file, r->warnings,
		      r->warnings == 1 ? "" : "s");
	else
		notef("'%s' is valid", r->file);
}

char *dockerrun_path(const char *arg)
{
	struct stat st;
	if (!arg)
		return xstrdup("Dockerrun.aws.json");
	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return xasprintf("%s%sDockerrun.aws.json", arg,
		                 arg[strlen(arg) - 1] == '/' ? "" : "/");
	return xstrdup(arg);
}

int cmd_validate(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "validate", "[--format text|json|github] [--werror] [FILE|DIR]...",
	    "With no FILE, ./Dockerrun.aws.json; a DIR means the Dockerrun.aws.json in it.\n"
	    "FILE '-' reads standard input. The file's directory is the bundle root: a\n"
	    "Dockerfile or docker-compose.yml there counts as a companion file.\n"
	    "The format defaults to github when GITHUB_ACTIONS=true and stdout is not a\n"
	    "terminal, text otherwise. --list-rules prints the rule reference (text, json\n"
	    "or markdown: markdown is for --list-rules only).\n\n"
	    "Exit status: 0 valid (warnings allowed unless --werror), 1 errors found or a\n"
	    "file could not be read, 2 usage."};
	const char *format = NULL;
	bool werror = false, list_rules = false;
	const struct opt opts[] = {
	    /* a string, not a choice: which formats work depends on --list-rules */
	    OPTION_STRING_COMPLETE("format", 'f', &format, "FORMAT",
	                           "output format (text,json,github; with --list-rules: "
	                           "text,json,markdown)",
	                           NULL, "words:text,json,github;--list-rules:text,json,markdown"),
	    OPTION_BOOL("werror", 0, &werror, "treat warnings as errors (exit 1)", NULL),
	    OPTION_BOOL("list-rules", 0, &list_rules, "print the rule reference and exit", NULL),
	    OPTION_END};
	int n, i, rc = EBCTL_OK, fmt;
	json_t *all = NULL;
	bool color, stdin_used = false;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (list_rules) {
		if (n > 0)
			return usage_error("validate", "--list-rules takes no FILE");
		if (format && strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
		    strcmp(format, "markdown") != 0)
			return usage_error("validate",
			                   "--list-rules prints text, json or markdown, not '%s'",
			                   format);
		if (dr_rules_print(stdout, format ? format : "text") != 0)
			return EBCTL_ERR_INVALID;
		return EBCTL_OK;
	}
	if (format && strcmp(format, "markdown") == 0)
		return usage_error("validate", "--format markdown is only for --list-rules");
	if (format && dr_format_parse(format) < 0)
		return usage_error("validate", "--format must be one of text,json,github, not '%s'",
		                   format);
	if (n == 0 && access("Dockerrun.aws.json", F_OK) != 0)
		return usage_error("validate", "no FILE given and no Dockerrun.aws.json here (use "
		                               "'-' for standard input)");
	for (i = 1; i <= n; i++) {
		if (strcmp(argv[i], "-") != 0)
			continue;
		if (stdin_used)
			return usage_error("validate",
			                   "standard input ('-') can be read only once");
		stdin_used = true;
	}
	if (format)
		fmt = dr_format_parse(format);
	else if (getenv("GITHUB_ACTIONS") && strcmp(getenv("GITHUB_ACTIONS"), "true") == 0 &&
	         !isatty(STDOUT_FILENO))
		fmt = DR_FORMAT_GITHUB;
	else
		fmt = DR_FORMAT_TEXT;
	color = fmt == DR_FORMAT_TEXT && term_use_color(stdout);
	if (fmt == DR_FORMAT_JSON)
		all = json_array();

	for (i = 1; i <= (n ? n : 1); i++) {
		struct dr_report r;
		char *owned = dockerrun_path(n ? argv[i] : NULL);
		const char *path = owned;
		int v;
		dr_report_init(&r);
		v = dockerrun_validate_file(path, NULL, NULL, &r);
		if (v < 0) {
			const char *why =
			    errno == EFBIG
			        ? "larger than 8 MiB; a Dockerrun file is a few kilobytes"
			        : strerror(errno);
			if (errno == EFBIG)
				errorf("'%s' is %s", path, why);
			else
				errorf("cannot open '%s': %s", path, why);
			if (all) {
				/* the name need not be UTF-8; the field is always there */
				char *name = str_utf8_valid(path);
				json_array_append_new(all, json_pack("{s:s, s:b, s:s, s:[]}",
				                                     "file", name, "valid", 0,
				                                     "error", why, "diagnostics"));
				free(name);
			}
			rc = EBCTL_ERR_INVALID;
			dr_report_cleanup(&r);
			free(owned);
			continue;
		}
		if (v != 0 || (werror && r.warnings))
			rc = EBCTL_ERR_INVALID;
		if (all) {
			json_t *o = dr_report_json(&r);
			if (werror && r.warnings)
				json_object_set_new(o, "valid", json_false());
			json_array_append_new(all, o);
		} else {
			dr_report_print(stdout, &r, (enum dr_format)fmt, color);
			if (fmt == DR_FORMAT_TEXT) {
				fflush(stdout); /* diagnostics before their summary in a 2>&1 log */
				summary(&r, werror);
			}
		}
		dr_report_cleanup(&r);
		free(owned);
	}
	if (all) {
		json_dumpf(all, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(all);
	}
	if (out_finish() != 0 && rc == EBCTL_OK)
		rc = EBCTL_ERR_INVALID;
	return rc;
}
