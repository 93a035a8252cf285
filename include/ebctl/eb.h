/*
 * AWS Elastic Beanstalk (Query protocol, API version 2010-12-01): typed
 * wrappers returning plain C structs. Strings in results are owned by the
 * struct and freed by its *_free; absent fields are NULL (strings) or 0.
 * Timestamps are epoch seconds.
 */
#ifndef EBCTL_EB_H
#define EBCTL_EB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebctl/aws.h"

/* ---- option settings ---- */
struct eb_option_setting {
	char *ns;       /* Namespace: "aws:elasticbeanstalk:application:environment" */
	char *name;     /* OptionName */
	char *value;    /* Value; NULL when removing or absent */
	char *resource; /* ResourceName; NULL for none */
};
struct eb_option_settings {
	struct eb_option_setting *v;
	size_t n, cap;
};
/* Append copies; value and resource may be NULL. */
void eb_option_settings_add(struct eb_option_settings *s, const char *ns, const char *name,
                            const char *value, const char *resource);
/* The first setting with ns and name, or NULL; borrowed. */
const struct eb_option_setting *eb_option_settings_find(const struct eb_option_settings *s,
                                                        const char *ns, const char *name);
void eb_option_settings_cleanup(struct eb_option_settings *s);

/* ---- storage and applications ---- */

/* CreateStorageLocation: the account's elasticbeanstalk-REGION-ACCOUNT
 * bucket (created on first call). *bucket: caller frees. */
int eb_create_storage_location(struct aws_client *c, char **bucket, struct aws_error *err);

/* CreateApplication. An application that already exists is an error
 * (code InvalidParameterValue); check with eb_application_exists first.
 * When the answer is lost, it checks whether the application exists
 * before sending the request again. */
int eb_create_application(struct aws_client *c, const char *app, const char *description,
                          struct aws_error *err);
/* DescribeApplications for one name; *exists set on success. */
int eb_application_exists(struct aws_client *c, const char *app, bool *exists,
                          struct aws_error *err);

/* ---- application versions ---- */
struct eb_app_version {
	char *app;
	char *label;
	char *description;
	char *bucket; /* SourceBundle.S3Bucket */
	char *key;    /* SourceBundle.S3Key */
	char *status; /* Processed, Unprocessed, Failed, Processing, Building */
	int64_t created;
	int64_t updated;
};
struct eb_app_versions {
	struct eb_app_version *v;
	size_t n;
};
void eb_app_version_cleanup(struct eb_app_version *v);
void eb_app_versions_cleanup(struct eb_app_versions *v);

struct eb_create_version {
	const char *app;
	const char *label;
	const char *description; /* NULL: none */
	const char *bucket;
	const char *key;
	bool process;         /* EB validates/pre-processes the bundle */
	bool auto_create_app; /* AutoCreateApplication */
};
/*
 * CreateApplicationVersion. Safe to retry: if the connection drops after
 * the request was sent, it looks the label up with
 * DescribeApplicationVersions and only sends it again when absent; when
 * the label then exists with the same bucket and key, that is success.
 * out (may be NULL) gets the created version.
 */
int eb_create_application_version(struct aws_client *c, const struct eb_create_version *p,
                                  struct eb_app_version *out, struct aws_error *err);

/* DescribeApplicationVersions of app, for the labels given (nlabels 0:
 * all, newest first, every page). */
int eb_describe_application_versions(struct aws_client *c, const char *app,
                                     const char *const *labels, size_t nlabels,
                                     struct eb_app_versions *out, struct aws_error *err);

int eb_delete_application_version(struct aws_client *c, const char *app, const char *label,
                                  bool delete_source, struct aws_error *err);

/* ---- environments ---- */
struct eb_update {
	const char *app;                           /* NULL: not sent */
	const char *env;                           /* EnvironmentName (required) */
	const char *version_label;                 /* NULL: keep the version */
	const struct eb_option_settings *settings; /* OptionSettings, NULL: none */
	const struct eb_option_settings *remove;   /* OptionsToRemove (ns + name), NULL: none */
	const char *platform_arn;                  /* PlatformArn: move to it; NULL: keep */
};
/* UpdateEnvironment; *request_id (caller frees) is the request id that
 * scopes the events of this update (DescribeEvents RequestId filter).
 * Never starts two updates: when the answer is lost it is sent again only
 * if the environment is still Ready; otherwise it fails with
 * err->unknown_outcome (the update may be running). */
int eb_update_environment(struct aws_client *c, const struct eb_update *u, char **request_id,
                          struct aws_error *err);

struct eb_environment {
	char *name;
	char *id;
	char *app;
	char *status;        /* Launching, Updating, Ready, Terminating, Terminated, Aborting,
	                        LinkingFrom/To */
	char *health;        /* colour: Green, Yellow, Red, Grey */
	char *health_status; /* enhanced: Ok, Info, Warning, Degraded, Severe, Pending, Unknown,
	                        NoData, Suspended */
	char *version_label;
	char *cname;
	char *endpoint_url;
	char *platform_arn;
	char *solution_stack;
	char *tier; /* WebServer, Worker */
	char *arn;  /* EnvironmentArn */
	int64_t created;
	int64_t updated;
	bool abortable; /* AbortableOperationInProgress */
};
struct eb_environments {
	struct eb_environment *v;
	size_t n;
};
void eb_environment_cleanup(struct eb_environment *e);
/* The environment's URL with its scheme (from the CNAME, else the
 * endpoint), or NULL; caller frees. */
char *eb_environment_url(const struct eb_environment *e);
void eb_environments_cleanup(struct eb_environments *e);
/* The record of the environment named name in e, or NULL. */
const struct eb_environment *eb_environments_find(const struct eb_environments *e,
                                                  const char *name);
/* DescribeEnvironments: app may be NULL; names (nnames 0: all of app);
 * terminated ones are left out unless include_deleted. */
int eb_describe_environments(struct aws_client *c, const char *app, const char *const *names,
                             size_t nnames, bool include_deleted, struct eb_environments *out,
                             struct aws_error *err);

int eb_abort_environment_update(struct aws_client *c, const char *env, struct aws_error *err);

/* ---- events ---- */
struct eb_event {
	int64_t date;
	char *severity; /* TRACE DEBUG INFO WARN ERROR FATAL */
	char *message;
	char *app;
	char *env;
	char *version_label;
	char *request_id;
	char *platform_arn;
};
struct eb_events {
	struct eb_event *v; /* as returned: newest first */
	size_t n;
	char *next_token; /* NULL on the last page */
};
void eb_events_cleanup(struct eb_events *e);

struct eb_events_filter {
	const char *app;
	const char *env;
	const char *version_label;
	const char *request_id;
	const char *severity; /* minimum severity; NULL: all */
	int64_t start_time;   /* 0: unbounded */
	int64_t end_time;     /* 0: unbounded */
	int max_records;      /* 0: service default (1000) */
	const char *next_token;
};
/* One page of DescribeEvents. */
int eb_describe_events(struct aws_client *c, const struct eb_events_filter *f,
                       struct eb_events *out, struct aws_error *err);
/* Up to max_pages pages of DescribeEvents for f (its next_token ignored),
 * appended to *all (newest first); a NextToken that comes back unchanged
 * ends the walk. Returns 0, or -1 with err (what was read stays in all). */
int eb_describe_events_pages(struct aws_client *c, const struct eb_events_filter *f, int max_pages,
                             struct eb_events *all, struct aws_error *err);

/* ---- health ---- */
struct eb_env_health {
	char *env;
	char *status;        /* environment status */
	char *color;         /* Green Yellow Red Grey */
	char *health_status; /* Ok, Warning, Degraded, Severe, ... */
	char **causes;
	size_t ncauses;
	int64_t refreshed_at;
	/* InstancesHealth counts */
	int ok, info, warning, degraded, severe, pending, unknown, no_data;
	/* ApplicationMetrics (request_count 0 when absent) */
	int request_count;
	int duration_s;
	int status_2xx, status_3xx, status_4xx, status_5xx;
	double p99, p90, p50; /* latency seconds, negative when absent */
};
void eb_env_health_cleanup(struct eb_env_health *h);
/* DescribeEnvironmentHealth with AttributeNames=All. */
int eb_describe_environment_health(struct aws_client *c, const char *env, struct eb_env_health *out,
                                   struct aws_error *err);

/* ---- instance logs ---- */
/* info_type: "tail" or "bundle". */
int eb_request_environment_info(struct aws_client *c, const char *env, const char *info_type,
                                struct aws_error *err);
struct eb_env_info {
	char *instance_id;
	char *info_type;
	char *url; /* Message: a presigned S3 URL (aws_fetch_url) */
	int64_t sample_time;
};
struct eb_env_infos {
	struct eb_env_info *v;
	size_t n;
};
void eb_env_infos_cleanup(struct eb_env_infos *i);
int eb_retrieve_environment_info(struct aws_client *c, const char *env, const char *info_type,
                                 struct eb_env_infos *out, struct aws_error *err);

/* ---- tags ---- */
struct eb_tag {
	char *key;
	char *value; /* NULL in a list of keys to remove */
};
struct eb_tags {
	struct eb_tag *v;
	size_t n;
};
void eb_tags_add(struct eb_tags *t, const char *key, const char *value);
void eb_tags_cleanup(struct eb_tags *t);
/* ListTagsForResource of an application or environment ARN. */
int eb_list_tags(struct aws_client *c, const char *arn, struct eb_tags *out, struct aws_error *err);
/* UpdateTagsForResource: add (key and value) and remove (keys); either may be NULL. */
int eb_update_tags(struct aws_client *c, const char *arn, const struct eb_tags *add,
                   const struct eb_tags *remove, struct aws_error *err);

/* ---- creating and terminating environments ---- */
struct eb_create_env {
	const char *app, *env;
	const char *description;
	const char *cname_prefix;   /* CNAMEPrefix, NULL: EB picks one */
	bool worker;                /* Tier Worker/SQS/HTTP, else WebServer/Standard */
	const char *version_label;  /* NULL: the sample application */
	const char *platform_arn;   /* PlatformArn, or else */
	const char *solution_stack; /* SolutionStackName */
	const struct eb_option_settings *settings;
	const struct eb_tags *tags;
};
/* CreateEnvironment; *request_id (caller frees) scopes its events. When
 * the answer was lost and the environment exists after all, succeeds with
 * *request_id "" (its events cannot be told apart by request). */
int eb_create_environment(struct aws_client *c, const struct eb_create_env *ce, char **request_id,
                          struct aws_error *err);
/* TerminateEnvironment; *request_id (caller frees, may be NULL). */
int eb_terminate_environment(struct aws_client *c, const char *env, char **request_id,
                             struct aws_error *err);
/* CheckDNSAvailability of a CNAME prefix; *fqdn caller frees. */
int eb_check_dns(struct aws_client *c, const char *prefix, bool *available, char **fqdn,
                 struct aws_error *err);
/* DescribeApplications: every application's name, appended to names. */
struct strlist;
int eb_list_applications(struct aws_client *c, struct strlist *names, struct aws_error *err);

/* RestartAppServer, RebuildEnvironment; *request_id (caller frees, may be NULL). */
int eb_restart_app_server(struct aws_client *c, const char *env, char **request_id,
                          struct aws_error *err);
int eb_rebuild_environment(struct aws_client *c, const char *env, char **request_id,
                           struct aws_error *err);
/* SwapEnvironmentCNAMEs of a and b (never sent twice blindly: it would swap back). */
int eb_swap_cnames(struct aws_client *c, const char *a, const char *b, char **request_id,
                   struct aws_error *err);

/* UpdateApplicationResourceLifecycle: the versions' lifecycle policy. */
struct eb_lifecycle {
	const char *app;
	unsigned long max_count;    /* keep at most this many; 0: no count rule */
	unsigned long max_age_days; /* delete older ones; 0: no age rule */
	bool delete_source;         /* their bundles in S3 too */
	const char *service_role;   /* NULL: the application's */
};
int eb_update_lifecycle(struct aws_client *c, const struct eb_lifecycle *l, struct aws_error *err);

/* ---- platforms ---- */
struct eb_platform {
	char *arn;
	char *branch;       /* PlatformBranchName: "ECS running on 64bit Amazon Linux 2023" */
	char *version;      /* "4.3.1" */
	char *branch_state; /* Supported, Beta, Deprecated, Retired */
	char *state;        /* PlatformLifecycleState: "Recommended" for the newest, or NULL */
	char *category;     /* "ECS", "Docker" */
};
struct eb_platforms {
	struct eb_platform *v;
	size_t n;
};
void eb_platforms_cleanup(struct eb_platforms *ps);
/* ListPlatformVersions of AWS's own platforms, every page; with
 * branch_contains, only branches whose name contains it. */
int eb_list_platforms(struct aws_client *c, const char *branch_contains, struct eb_platforms *out,
                      struct aws_error *err);

/* ---- configuration ---- */
/* DescribeConfigurationSettings of a running environment: its option
 * settings (every namespace). */
int eb_describe_configuration_settings(struct aws_client *c, const char *app, const char *env,
                                       struct eb_option_settings *out, struct aws_error *err);

/* DescribeEnvironmentResources: the ids of the environment's instances,
 * appended to instances. */
int eb_describe_environment_resources(struct aws_client *c, const char *env,
                                      struct strlist *instances, struct aws_error *err);

#endif
