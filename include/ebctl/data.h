/*
 * The data services an environment talks to, and the network between them:
 * EC2 reads (instances, security groups, VPCs, subnets) and one write
 * (AuthorizeSecurityGroupIngress), RDS (DescribeDBInstances,
 * DescribeDBClusters) and ElastiCache (DescribeCacheClusters with node
 * info, DescribeReplicationGroups), over the Query protocol. Shapes follow
 * botocore's service models (ec2 2016-11-15, rds 2014-10-31, elasticache
 * 2015-02-02). Strings are owned by the structs; every *_free is NULL-safe
 * and leaves the struct zeroed. Functions return 0 or -1 with err filled.
 */
#ifndef EBCTL_DATA_H
#define EBCTL_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "ebctl/util.h"

struct aws_client;
struct aws_error;

/* ---- EC2 ---- */

/* One inbound permission: a protocol ("tcp", "-1" = all), a port range
 * (from/to -1 with "-1"), and its sources. */
struct ec2_rule {
	char *proto;
	int from, to;
	struct strlist groups; /* source group ids */
	struct strlist cidrs;  /* IPv4 CIDRs */
};
struct ec2_group {
	char *id, *name, *vpc;
	struct ec2_rule *rules;
	size_t nrules;
};
struct ec2_groups {
	struct ec2_group *v;
	size_t n;
};
void ec2_groups_cleanup(struct ec2_groups *g);
/* The group with this id or name in g, or NULL (borrowed). */
const struct ec2_group *ec2_groups_find(const struct ec2_groups *g, const char *id_or_name);

/* DescribeSecurityGroups of these ids (n > 0), or of every group (n = 0),
 * following pages. */
int ec2_describe_security_groups(struct aws_client *c, const char *const *ids, size_t n,
                                 struct ec2_groups *out, struct aws_error *err);

struct ec2_instance {
	char *id, *vpc, *subnet, *private_ip;
	struct strlist groups; /* group ids */
};
struct ec2_instances {
	struct ec2_instance *v;
	size_t n;
};
void ec2_instances_cleanup(struct ec2_instances *i);
/* DescribeInstances of these ids (n > 0). */
int ec2_describe_instances(struct aws_client *c, const char *const *ids, size_t n,
                           struct ec2_instances *out, struct aws_error *err);

/* The region's default VPC (DescribeVpcs isDefault=true): *vpc NULL when
 * there is none; caller frees. */
int ec2_default_vpc(struct aws_client *c, char **vpc, struct aws_error *err);

/* The IPv4 CIDR blocks of these subnets (DescribeSubnets), appended to cidrs. */
int ec2_subnet_cidrs(struct aws_client *c, const char *const *ids, size_t n, struct strlist *cidrs,
                     struct aws_error *err);

/* AuthorizeSecurityGroupIngress: tcp on port, into group, from source
 * group. A rule that exists already (InvalidPermission.Duplicate) is
 * success with *added false. */
int ec2_authorize_ingress(struct aws_client *c, const char *group, int port, const char *source,
                          bool *added, struct aws_error *err);

/* ---- RDS and ElastiCache ---- */

enum data_kind {
	DATA_RDS_INSTANCE,
	DATA_RDS_CLUSTER,
	DATA_CACHE_CLUSTER,
	DATA_CACHE_GROUP, /* replication group */
};
/* "RDS instance", "RDS cluster", "ElastiCache cluster", "ElastiCache replication group". */
const char *data_kind_name(enum data_kind k);

struct data_endpoint {
	char *address;
	int port;
};
struct data_resource {
	enum data_kind kind;
	char *id;
	char *engine;     /* postgres, aurora-postgresql, mysql, redis, valkey, memcached */
	char *db_name;    /* RDS: DBName / DatabaseName, or NULL */
	char *user;       /* RDS: MasterUsername, or NULL */
	char *vpc;        /* RDS instance: its subnet group's VPC; else NULL (see groups) */
	char *cluster;    /* the RDS cluster or replication group it belongs to, or NULL */
	char *secret_arn; /* RDS: MasterUserSecret.SecretArn (managed password), or NULL */
	struct data_endpoint *eps; /* the first is the primary */
	size_t neps;
	struct strlist groups; /* VPC security group ids */
};
struct data_resources {
	struct data_resource *v;
	size_t n, cap;
};
void data_resources_cleanup(struct data_resources *r);
/* Every RDS instance and cluster, ElastiCache cluster and replication
 * group of the region, appended to out. */
int data_describe_all(struct aws_client *c, struct data_resources *out, struct aws_error *err);
/* The resource of that kind with that id, or NULL (borrowed). */
const struct data_resource *data_resources_find(const struct data_resources *r, enum data_kind kind,
                                                const char *id);

#endif
