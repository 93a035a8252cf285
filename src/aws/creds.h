/*
 * The credential chain's parts, private to src/aws (credentials.c holds
 * the chain): the shared config and credentials files (creds_ini.c), the
 * profiles' sources (creds_profile.c), container and instance metadata
 * (creds_metadata.c), and what they all build on: credentials from keys or
 * JSON, the environment's keys and the STS steps (creds_base.c).
 * Each source returns 1 found, 0 not there, -1 broken (err says why),
 * unless it says otherwise.
 */
#ifndef EBCTL_AWS_CREDS_H
#define EBCTL_AWS_CREDS_H

#include "internal.h"

struct ini_kv {
	char *key;
	char *value;
};
struct ini_section {
	char *name; /* profile name; other section kinds get a prefix that never matches */
	struct ini_kv *kv;
	size_t n;
};
struct ini_file {
	char *path;
	char *shown; /* for messages: "~/.aws/config" or the path given */
	bool exists;
	int error_line;
	bool is_config;
	struct ini_section *s;
	size_t n;
	struct ini_reader *rd; /* while parsing */
};

struct profiles {
	struct ini_file cred, conf;
};

/* creds_ini.c: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or the default
 * under ~/.aws (a missing file is empty, not an error). Returns 0 or -1. */
int creds_ini_load(struct ini_file *f, bool config, struct aws_error *err);
void creds_ini_cleanup(struct ini_file *f);
const struct ini_section *creds_ini_find(const struct ini_file *f, const char *profile);
/* a key's value in a section, NULL when unset or empty */
const char *creds_ini_get(const struct ini_section *s, const char *key);
/* a profile's setting: the credentials file wins over the config file */
const char *creds_profile_get(const struct profiles *p, const char *profile, const char *key);
bool creds_profile_exists(const struct profiles *p, const char *profile);
void creds_profiles_cleanup(struct profiles *p);

/* creds_base.c */
int creds_from_env(struct aws_creds *out, struct aws_error *err);
int creds_assume_role(struct aws_client *c, const struct aws_creds *base, const char *role_arn,
                      const char *session, const char *external_id, const char *duration,
                      const char *source, struct aws_creds *out, struct aws_error *err);
int creds_web_identity(struct aws_client *c, const char *role_arn, const char *token,
                       const char *session, const char *source, struct aws_creds *out,
                       struct aws_error *err);
int creds_web_identity_file(struct aws_client *c, const char *role_arn, const char *path,
                            const char *session, const char *source, struct aws_creds *out,
                            struct aws_error *err);

/* creds_metadata.c */
/* GET or PUT a metadata URL (unsigned, short timeouts) */
int creds_metadata_call(struct aws_client *c, const char *method, const char *url,
                        const char *hname, const char *hvalue, const char *step, long timeout_ms,
                        int attempts, struct buf *out, struct aws_error *err);
int creds_from_container(struct aws_client *c, struct aws_creds *out, struct aws_error *err);
int creds_from_imds(struct aws_client *c, struct aws_creds *out, struct aws_error *err);

/* creds_profile.c: the profile's credentials (source_profile chains,
 * credential_source, web identity, SSO, static keys, credential_process);
 * why collects what was passed over, for the chain's message */
int creds_from_profile(struct aws_client *c, struct aws_creds *out, struct buf *why,
                       struct aws_error *err);
int creds_from_process(const char *cmd, const char *profile, struct aws_creds *out,
                       struct aws_error *err);

#endif
