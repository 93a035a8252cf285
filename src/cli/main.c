/* ebctl: the command table and dispatch. */
#include "ebctl/cli.h"
#include "ebctl/util.h"

/* EBCTL_COMMIT and EBCTL_BUILD_DATE, written by mk/build-info.sh */
#include "build_info.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

const struct command commands[] = {
    {"validate", cmd_validate, "check Dockerrun.aws.json files (v1, v2, v3) before they deploy"},
    {"bundle", cmd_bundle, "build the deterministic source bundle zip"},
    {"deploy", cmd_deploy,
     "bundle, upload, create the version, update environments, wait for the verdict"},
    {"create", cmd_create,
     "create the application (when missing) and an environment running the bundle"},
    {"terminate", cmd_terminate, "terminate an environment (asks unless --force)"},
    {"list", cmd_list, "applications, or an application's environments"},
    {"platforms", cmd_platforms, "the region's platforms, their branches and versions"},
    {"upgrade", cmd_upgrade, "move an environment to the newest version of its platform branch"},
    {"tags", cmd_tags, "list, add or remove an environment's tags"},
    {"versions", cmd_versions, "application versions, and pruning old ones"},
    {"rollback", cmd_rollback, "redeploy the version that ran before (or --to LABEL)"},
    {"abort", cmd_abort, "abort the update in progress; wait until Ready on the previous version"},
    {"swap", cmd_swap, "blue/green: swap two environments' CNAMEs after a health check"},
    {"clone", cmd_clone, "a new environment with another's configuration and version"},
    {"restart", cmd_restart, "restart the app servers (RestartAppServer) and wait until Ready"},
    {"rebuild", cmd_rebuild, "rebuild the environment's resources (asks unless --force)"},
    {"scale", cmd_scale, "set the number of instances (aws:autoscaling:asg MinSize and MaxSize)"},
    {"events", cmd_events, "show an environment's events, oldest first; -f follows"},
    {"logs", cmd_logs, "tail instance logs, download full bundles, or follow CloudWatch Logs"},
    {"status", cmd_status, "environment status, health, running version, platform and URL"},
    {"health", cmd_health, "environment health and its causes"},
    {"setenv", cmd_setenv, "set or remove environment properties (K=V, K=)"},
    {"printenv", cmd_printenv, "print environment properties (secrets masked unless --reveal)"},
    {"doctor", cmd_doctor, "check that the environment can reach its RDS and ElastiCache services"},
    {"link", cmd_link, "set the environment's data-service properties from RDS and ElastiCache"},
    {"render", cmd_render,
     "write a v2 file as docker-compose, Kubernetes or an ECS task definition"},
    {"init", cmd_init, "write a starter Dockerrun.aws.json and CI workflow"},
    {"sign", cmd_sign, "sign a raw HTTP request with SigV4 and print the result"},
};
const size_t ncommands = EBCTL_ARRAY_LEN(commands);

static void main_usage(FILE *f)
{
	size_t i;
	fputs("usage: ebctl [--version] [--help] [--debug] [--quiet] [--no-color] [--endpoint-url "
	      "URL]\n"
	      "             COMMAND [ARGS]\n\n"
	      "Deploy multi-container apps to AWS Elastic Beanstalk, and check them first.\n\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < ncommands; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nExit codes: 0 success, 1 invalid input, 2 usage, 3 AWS or network error,\n"
	      "4 deployment failed, 5 unhealthy, 6 timed out, 70 internal error (out of memory,\n"
	      "a missing library), 130 interrupted.\n\n"
	      "See 'ebctl help COMMAND' or 'ebctl COMMAND --help' for a command's options.\n",
	      f);
}

static const struct command *find_command(const char *name)
{
	size_t i;
	for (i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *best = NULL;
	size_t i, best_d = 3;
	for (i = 0; i < ncommands; i++) {
		size_t d = str_edit_distance(name, commands[i].name, 2);
		if (d < best_d) {
			best_d = d;
			best = commands[i].name;
		}
	}
	fprintf(stderr, "ebctl: '%s' is not an ebctl command. See 'ebctl --help'.\n", name);
	if (best)
		fprintf(stderr, "\nThe most similar command is\n\t%s\n", best);
	return EBCTL_ERR_USAGE;
}

/* One line: the version, the commit built and the build date (the commit's
 * date or SOURCE_DATE_EPOCH, so that a rebuild gives the same bytes). */
static int print_version(void)
{
	printf("ebctl %s (commit %s, built %s)\n", EBCTL_VERSION, EBCTL_COMMIT, EBCTL_BUILD_DATE);
	return out_finish();
}

/* The command line to a status; main maps it to the exit code. */
static int run(int argc, char **argv)
{
	const struct command *c;
	int rc, i = 1;

	/* A closed pipe (| head) shows up as EPIPE on write, handled in out_line(). */
	signal(SIGPIPE, SIG_IGN);
	/* Out of memory inside jansson is ours too (exit 70), not a document
	 * that fails to parse with an empty reason. */
	json_set_alloc_funcs(xmalloc, free);

	/* Global flags before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			return print_version();
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			main_usage(stdout);
			return out_finish();
		} else if (!strcmp(argv[i], "--completion-helper")) {
			/* the commands, for mk/gen-completions.py */
			size_t k;
			for (k = 0; k < ncommands; k++)
				printf("command\t%s\t%s\n", commands[k].name, commands[k].summary);
			return out_finish();
		} else if ((rc = opts_global(argc, argv, &i))) {
			return rc; /* --debug, --quiet, --no-color, --endpoint-url: the parser's
			              table */
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EBCTL_ERR_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			main_usage(stdout);
			return out_finish();
		}
		if (!(c = find_command(argv[i + 1])))
			return unknown_command(argv[i + 1]);
		{
			char *hargv[] = {(char *)c->name, (char *)"--help", NULL};
			rc = c->fn(2, hargv);
		}
		return rc ? rc : out_finish();
	}
	if (!strcmp(argv[i], "version"))
		return print_version();
	if (!(c = find_command(argv[i])))
		return unknown_command(argv[i]);
	rc = c->fn(argc - i, argv + i);
	{
		int out = out_finish();
		return rc ? rc : out;
	}
}

int main(int argc, char **argv)
{
	return cli_exit_code(run(argc, argv));
}
