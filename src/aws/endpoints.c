/*
 * Endpoints: the partition's host names (aws, aws-cn, aws-us-gov) and the
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> overrides, as the SDKs
 * resolve them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct service_info {
	const char *name;        /* signing name */
	const char *host_prefix; /* host label */
	const char *env;         /* service-specific override variable */
};

static const struct service_info services[] = {
    {"s3", "s3", "AWS_ENDPOINT_URL_S3"},
    {"elasticbeanstalk", "elasticbeanstalk", "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK"},
    {"sts", "sts", "AWS_ENDPOINT_URL_STS"},
    {"logs", "logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"},
    /* the data services doctor and link read */
    {"ec2", "ec2", "AWS_ENDPOINT_URL_EC2"},
    {"rds", "rds", "AWS_ENDPOINT_URL_RDS"},
    {"elasticache", "elasticache", "AWS_ENDPOINT_URL_ELASTICACHE"},
    /* global: one endpoint per partition, signed for its first region */
    {"iam", "iam", "AWS_ENDPOINT_URL_IAM"},
    /* IAM Identity Center: the portal's GetRoleCredentials and SSO OIDC's
     * CreateToken (both unsigned: the bearer token is the proof) */
    {"awsssoportal", "portal.sso", "AWS_ENDPOINT_URL_SSO"},
    {"sso-oauth", "oidc", "AWS_ENDPOINT_URL_SSO_OIDC"},
};

bool aws_region_valid(const char *region)
{
	size_t i, n = strlen(region);
	if (n == 0 || n > 40 || region[0] == '-' || region[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)region[i]) && !isdigit((unsigned char)region[i]) &&
		    region[i] != '-')
			return false;
	return true;
}

const char *aws_partition_suffix(const char *region)
{
	if (str_starts_with(region, "cn-"))
		return "amazonaws.com.cn";
	/* aws-us-gov uses amazonaws.com like the commercial partition */
	return "amazonaws.com";
}

/* Split an override URL into url (without trailing slash), host and base path. */
static int parse_override(const char *var, const char *value, struct aws_endpoint *out,
                          struct aws_error *err)
{
	const char *p, *host, *path;
	size_t hlen, i;

	if (str_starts_with(value, "https://"))
		host = value + 8;
	else if (str_starts_with(value, "http://"))
		host = value + 7;
	else {
		aws_error_set(err, "endpoint", "InvalidEndpoint",
		              "%s '%s' is not an http:// or https:// URL", var, value);
		return -1;
	}
	path = strchr(host, '/');
	hlen = path ? (size_t)(path - host) : strlen(host);
	if (hlen == 0 || hlen >= sizeof(out->host)) {
		aws_error_set(err, "endpoint", "InvalidEndpoint", "%s '%s' has no host", var,
		              value);
		return -1;
	}
	for (i = 0; i < hlen; i++) {
		char ch = host[i];
		if (!isalnum((unsigned char)ch) && !strchr(".-:[]_", ch)) {
			aws_error_set(err, "endpoint", "InvalidEndpoint",
			              "%s '%s' has an invalid host", var, value);
			return -1;
		}
	}
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	out->base_path[0] = '\0';
	if (path) {
		size_t plen = strlen(path);
		while (plen > 0 && path[plen - 1] == '/')
			plen--;
		for (p = path; p < path + plen; p++)
			if (strchr("?#", *p)) {
				aws_error_set(err, "endpoint", "InvalidEndpoint",
				              "%s '%s' must not have a query", var, value);
				return -1;
			}
		if (plen >= sizeof(out->base_path)) {
			aws_error_set(err, "endpoint", "InvalidEndpoint", "%s '%s' is too long",
			              var, value);
			return -1;
		}
		memcpy(out->base_path, path, plen);
		out->base_path[plen] = '\0';
	}
	snprintf(out->url, sizeof(out->url), "%.*s%s", (int)(host - value + hlen), value,
	         out->base_path);
	out->custom = true;
	return 0;
}

int aws_endpoint_resolve(const char *service, const char *region, struct aws_endpoint *out,
                         struct aws_error *err)
{
	const struct service_info *si = NULL;
	const char *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < EBCTL_ARRAY_LEN(services); i++)
		if (strcmp(services[i].name, service) == 0)
			si = &services[i];
	if (!si) {
		aws_error_set(err, "endpoint", "UnknownService", "no endpoint for service '%s'",
		              service);
		return -1;
	}
	if (region && *region && !aws_region_valid(region)) {
		aws_error_set(err, "endpoint", "InvalidRegion", "invalid region '%s'", region);
		return -1;
	}
	/* STS without a region goes to the global endpoint, signed for us-east-1;
	 * IAM is global in each partition */
	snprintf(out->signing_region, sizeof(out->signing_region), "%s",
	         region && *region ? region : "us-east-1");
	if (strcmp(service, "iam") == 0)
		snprintf(out->signing_region, sizeof(out->signing_region), "%s",
		         region && str_starts_with(region, "cn-")       ? "cn-north-1"
		         : region && str_starts_with(region, "us-gov-") ? "us-gov-west-1"
		                                                        : "us-east-1");

	v = getenv(si->env);
	if (v && *v)
		return parse_override(si->env, v, out, err);
	v = getenv("AWS_ENDPOINT_URL");
	if (v && *v)
		return parse_override("AWS_ENDPOINT_URL", v, out, err);

	if (strcmp(service, "iam") == 0) {
		snprintf(out->host, sizeof(out->host), "%s",
		         region && str_starts_with(region, "cn-")
		             ? "iam.cn-north-1.amazonaws.com.cn"
		         : region && str_starts_with(region, "us-gov-") ? "iam.us-gov.amazonaws.com"
		                                                        : "iam.amazonaws.com");
	} else if (!region || !*region) {
		if (strcmp(service, "sts") != 0) {
			aws_error_set(
			    err, "endpoint", "NoRegion",
			    "no region: use --region or set AWS_REGION (or region in the profile)");
			return -1;
		}
		snprintf(out->host, sizeof(out->host), "sts.amazonaws.com");
	} else {
		snprintf(out->host, sizeof(out->host), "%s.%s.%s", si->host_prefix, region,
		         aws_partition_suffix(region));
	}
	snprintf(out->url, sizeof(out->url), "https://%s", out->host);
	return 0;
}

bool aws_s3_virtual_host_ok(const char *bucket)
{
	size_t i, n = strlen(bucket);
	/* dots would break the wildcard certificate: path style for those */
	if (n < 3 || n > 63 || bucket[0] == '-' || bucket[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)bucket[i]) && !isdigit((unsigned char)bucket[i]) &&
		    bucket[i] != '-')
			return false;
	return true;
}
