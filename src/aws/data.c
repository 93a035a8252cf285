/*
 * EC2, RDS and ElastiCache over the Query protocol: what doctor and link
 * read about an environment's network and its data services. EC2 answers
 * in its own XML (lists of <item>, no Result element); RDS and ElastiCache
 * answer <ActionResult> with named list members.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/data.h"
#include "internal.h"

/* Pages followed at most: a region with more than 100 pages of groups or
 * databases is not one doctor can judge in seconds anyway. */
#define MAX_PAGES 100

/* Element children in order, whatever their names. */
static xmlNodePtr first_elem(xmlNodePtr parent)
{
	xmlNodePtr n;
	for (n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static xmlNodePtr next_elem(xmlNodePtr node)
{
	xmlNodePtr n;
	for (n = node ? node->next : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static int xml_int(xmlNodePtr parent, const char *name, int def)
{
	char *t = aws_xml_text(parent, name);
	long v;
	if (!t || parse_long(t, -1, 65535, &v) != 0)
		v = def;
	free(t);
	return (int)v;
}

static int ec2_call(struct aws_client *c, const char *action, struct aws_params *p,
                    enum aws_idempotency idem, xmlDocPtr *doc, struct aws_error *err)
{
	int rc = aws_query(c, "ec2", action, p, idem, doc, err);
	aws_params_cleanup(p);
	return rc;
}

static xmlNodePtr root_of(xmlDocPtr doc)
{
	return doc ? xmlDocGetRootElement(doc) : NULL;
}

/* ---- EC2 ---- */

void ec2_groups_cleanup(struct ec2_groups *g)
{
	size_t i, j;
	if (!g)
		return;
	for (i = 0; i < g->n; i++) {
		struct ec2_group *x = &g->v[i];
		free(x->id);
		free(x->name);
		free(x->vpc);
		for (j = 0; j < x->nrules; j++) {
			free(x->rules[j].proto);
			strlist_cleanup(&x->rules[j].groups);
			strlist_cleanup(&x->rules[j].cidrs);
		}
		free(x->rules);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

const struct ec2_group *ec2_groups_find(const struct ec2_groups *g, const char *id_or_name)
{
	size_t i;
	for (i = 0; g && i < g->n; i++)
		if ((g->v[i].id && strcmp(g->v[i].id, id_or_name) == 0) ||
		    (g->v[i].name && strcmp(g->v[i].name, id_or_name) == 0))
			return &g->v[i];
	return NULL;
}

static void read_rule(xmlNodePtr item, struct ec2_rule *r)
{
	xmlNodePtr m;
	memset(r, 0, sizeof(*r));
	r->proto = aws_xml_text(item, "ipProtocol");
	r->from = xml_int(item, "fromPort", -1);
	r->to = xml_int(item, "toPort", -1);
	for (m = first_elem(aws_xml_child(item, "groups")); m; m = next_elem(m)) {
		char *id = aws_xml_text(m, "groupId");
		if (id)
			strlist_add(&r->groups, id);
		free(id);
	}
	for (m = first_elem(aws_xml_child(item, "ipRanges")); m; m = next_elem(m)) {
		char *cidr = aws_xml_text(m, "cidrIp");
		if (cidr)
			strlist_add(&r->cidrs, cidr);
		free(cidr);
	}
}

int ec2_describe_security_groups(struct aws_client *c, const char *const *ids, size_t n,
                                 struct ec2_groups *out, struct aws_error *err)
{
	char *token = NULL;
	size_t cap = 0, i;
	int page;

	memset(out, 0, sizeof(*out));
	for (page = 0; page < MAX_PAGES; page++) {
		struct aws_params p = {0};
		xmlDocPtr doc = NULL;
		xmlNodePtr it, pm;
		for (i = 0; i < n; i++)
			aws_params_addf(&p, ids[i], "GroupId.%zu", i + 1);
		if (token)
			aws_params_add(&p, "NextToken", token);
		free(token);
		token = NULL;
		if (ec2_call(c, "DescribeSecurityGroups", &p, AWS_IDEMPOTENT, &doc, err)) {
			ec2_groups_cleanup(out);
			return -1;
		}
		for (it = first_elem(aws_xml_child(root_of(doc), "securityGroupInfo")); it;
		     it = next_elem(it)) {
			struct ec2_group *g;
			if (out->n == cap) {
				cap = cap ? cap * 2 : 16;
				out->v = xrealloc(out->v, cap * sizeof(*out->v));
			}
			g = &out->v[out->n++];
			memset(g, 0, sizeof(*g));
			g->id = aws_xml_text(it, "groupId");
			g->name = aws_xml_text(it, "groupName");
			g->vpc = aws_xml_text(it, "vpcId");
			for (pm = first_elem(aws_xml_child(it, "ipPermissions")); pm;
			     pm = next_elem(pm)) {
				g->rules = xrealloc(g->rules, (g->nrules + 1) * sizeof(*g->rules));
				read_rule(pm, &g->rules[g->nrules++]);
			}
		}
		token = aws_xml_text(root_of(doc), "nextToken");
		xmlFreeDoc(doc);
		if (!token || !*token)
			break;
	}
	free(token);
	return 0;
}

void ec2_instances_cleanup(struct ec2_instances *in)
{
	size_t i;
	if (!in)
		return;
	for (i = 0; i < in->n; i++) {
		free(in->v[i].id);
		free(in->v[i].vpc);
		free(in->v[i].subnet);
		free(in->v[i].private_ip);
		strlist_cleanup(&in->v[i].groups);
	}
	free(in->v);
	memset(in, 0, sizeof(*in));
}

int ec2_describe_instances(struct aws_client *c, const char *const *ids, size_t n,
                           struct ec2_instances *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr res, it, g;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		aws_params_addf(&p, ids[i], "InstanceId.%zu", i + 1);
	if (ec2_call(c, "DescribeInstances", &p, AWS_IDEMPOTENT, &doc, err))
		return -1;
	for (res = first_elem(aws_xml_child(root_of(doc), "reservationSet")); res;
	     res = next_elem(res)) {
		for (it = first_elem(aws_xml_child(res, "instancesSet")); it; it = next_elem(it)) {
			struct ec2_instance *x;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			x = &out->v[out->n++];
			memset(x, 0, sizeof(*x));
			x->id = aws_xml_text(it, "instanceId");
			x->vpc = aws_xml_text(it, "vpcId");
			x->subnet = aws_xml_text(it, "subnetId");
			x->private_ip = aws_xml_text(it, "privateIpAddress");
			for (g = first_elem(aws_xml_child(it, "groupSet")); g; g = next_elem(g)) {
				char *id = aws_xml_text(g, "groupId");
				if (id)
					strlist_add(&x->groups, id);
				free(id);
			}
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

int ec2_default_vpc(struct aws_client *c, char **vpc, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	*vpc = NULL;
	aws_params_add(&p, "Filter.1.Name", "isDefault");
	aws_params_add(&p, "Filter.1.Value.1", "true");
	if (ec2_call(c, "DescribeVpcs", &p, AWS_IDEMPOTENT, &doc, err))
		return -1;
	*vpc = aws_xml_text(first_elem(aws_xml_child(root_of(doc), "vpcSet")), "vpcId");
	xmlFreeDoc(doc);
	return 0;
}

int ec2_subnet_cidrs(struct aws_client *c, const char *const *ids, size_t n, struct strlist *cidrs,
                     struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr it;
	size_t i;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		aws_params_addf(&p, ids[i], "SubnetId.%zu", i + 1);
	if (ec2_call(c, "DescribeSubnets", &p, AWS_IDEMPOTENT, &doc, err))
		return -1;
	for (it = first_elem(aws_xml_child(root_of(doc), "subnetSet")); it; it = next_elem(it)) {
		char *cidr = aws_xml_text(it, "cidrBlock");
		if (cidr && !strlist_has(cidrs, cidr))
			strlist_add(cidrs, cidr);
		free(cidr);
	}
	xmlFreeDoc(doc);
	return 0;
}

int ec2_authorize_ingress(struct aws_client *c, const char *group, int port, const char *source,
                          bool *added, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	char num[16];
	*added = false;
	snprintf(num, sizeof(num), "%d", port);
	aws_params_add(&p, "GroupId", group);
	aws_params_add(&p, "IpPermissions.1.IpProtocol", "tcp");
	aws_params_add(&p, "IpPermissions.1.FromPort", num);
	aws_params_add(&p, "IpPermissions.1.ToPort", num);
	aws_params_add(&p, "IpPermissions.1.Groups.1.GroupId", source);
	/* a lost answer is safe to resend: the second send finds the duplicate */
	if (ec2_call(c, "AuthorizeSecurityGroupIngress", &p, AWS_IDEMPOTENT, &doc, err)) {
		if (strcmp(err->code, "InvalidPermission.Duplicate") == 0) {
			aws_error_clear(err);
			return 0;
		}
		return -1;
	}
	xmlFreeDoc(doc);
	*added = true;
	return 0;
}

/* ---- RDS and ElastiCache ---- */

const char *data_kind_name(enum data_kind k)
{
	switch (k) {
	case DATA_RDS_INSTANCE: return "RDS instance";
	case DATA_RDS_CLUSTER: return "RDS cluster";
	case DATA_CACHE_CLUSTER: return "ElastiCache cluster";
	case DATA_CACHE_GROUP: return "ElastiCache replication group";
	}
	return "resource";
}

void data_resources_cleanup(struct data_resources *r)
{
	size_t i, j;
	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		struct data_resource *x = &r->v[i];
		free(x->id);
		free(x->engine);
		free(x->db_name);
		free(x->user);
		free(x->vpc);
		free(x->cluster);
		free(x->secret_arn);
		for (j = 0; j < x->neps; j++)
			free(x->eps[j].address);
		free(x->eps);
		strlist_cleanup(&x->groups);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const struct data_resource *data_resources_find(const struct data_resources *r, enum data_kind kind,
                                                const char *id)
{
	size_t i;
	for (i = 0; r && i < r->n; i++)
		if (r->v[i].kind == kind && r->v[i].id && strcmp(r->v[i].id, id) == 0)
			return &r->v[i];
	return NULL;
}

static struct data_resource *add_resource(struct data_resources *r, enum data_kind kind)
{
	struct data_resource *x;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	return x;
}

static void add_endpoint(struct data_resource *x, char *address, int port)
{
	size_t i;
	if (!address || !*address) {
		free(address);
		return;
	}
	for (i = 0; i < x->neps; i++)
		if (strcmp(x->eps[i].address, address) == 0) {
			free(address);
			return;
		}
	x->eps = xrealloc(x->eps, (x->neps + 1) * sizeof(*x->eps));
	x->eps[x->neps].address = address;
	x->eps[x->neps++].port = port;
}

/* <Endpoint><Address/><Port/></Endpoint> */
static void add_endpoint_node(struct data_resource *x, xmlNodePtr ep)
{
	if (ep)
		add_endpoint(x, aws_xml_text(ep, "Address"), xml_int(ep, "Port", 0));
}

static void add_groups(struct data_resource *x, xmlNodePtr list, const char *field)
{
	xmlNodePtr m;
	for (m = first_elem(list); m; m = next_elem(m)) {
		char *id = aws_xml_text(m, field);
		if (id && !strlist_has(&x->groups, id))
			strlist_add(&x->groups, id);
		free(id);
	}
}

typedef void (*read_fn)(xmlNodePtr item, struct data_resources *out);

/* One Describe* of RDS or ElastiCache, every page (Marker). */
static int describe_pages(struct aws_client *c, const char *service, const char *action,
                          const char *list, const char *extra_key, const char *extra_value,
                          read_fn fn, struct data_resources *out, struct aws_error *err)
{
	char *marker = NULL;
	int page;
	for (page = 0; page < MAX_PAGES; page++) {
		struct aws_params p = {0};
		xmlDocPtr doc = NULL;
		xmlNodePtr res, it;
		if (extra_key)
			aws_params_add(&p, extra_key, extra_value);
		if (marker)
			aws_params_add(&p, "Marker", marker);
		free(marker);
		marker = NULL;
		if (aws_query(c, service, action, &p, AWS_IDEMPOTENT, &doc, err)) {
			aws_params_cleanup(&p);
			return -1;
		}
		aws_params_cleanup(&p);
		res = aws_xml_result(doc, action);
		for (it = first_elem(aws_xml_child(res, list)); it; it = next_elem(it))
			fn(it, out);
		marker = aws_xml_text(res, "Marker");
		xmlFreeDoc(doc);
		if (!marker || !*marker)
			break;
	}
	free(marker);
	return 0;
}

static void read_db_instance(xmlNodePtr it, struct data_resources *out)
{
	struct data_resource *x = add_resource(out, DATA_RDS_INSTANCE);
	x->id = aws_xml_text(it, "DBInstanceIdentifier");
	x->engine = aws_xml_text(it, "Engine");
	x->db_name = aws_xml_text(it, "DBName");
	x->user = aws_xml_text(it, "MasterUsername");
	x->cluster = aws_xml_text(it, "DBClusterIdentifier");
	x->vpc = aws_xml_text(aws_xml_child(it, "DBSubnetGroup"), "VpcId");
	x->secret_arn = aws_xml_text(aws_xml_child(it, "MasterUserSecret"), "SecretArn");
	add_endpoint_node(x, aws_xml_child(it, "Endpoint"));
	add_groups(x, aws_xml_child(it, "VpcSecurityGroups"), "VpcSecurityGroupId");
}

static void read_db_cluster(xmlNodePtr it, struct data_resources *out)
{
	struct data_resource *x = add_resource(out, DATA_RDS_CLUSTER);
	int port;
	x->id = aws_xml_text(it, "DBClusterIdentifier");
	x->engine = aws_xml_text(it, "Engine");
	x->db_name = aws_xml_text(it, "DatabaseName");
	x->user = aws_xml_text(it, "MasterUsername");
	x->secret_arn = aws_xml_text(aws_xml_child(it, "MasterUserSecret"), "SecretArn");
	port = xml_int(it, "Port", 0);
	add_endpoint(x, aws_xml_text(it, "Endpoint"), port);
	add_endpoint(x, aws_xml_text(it, "ReaderEndpoint"), port);
	add_groups(x, aws_xml_child(it, "VpcSecurityGroups"), "VpcSecurityGroupId");
}

static void read_cache_cluster(xmlNodePtr it, struct data_resources *out)
{
	struct data_resource *x = add_resource(out, DATA_CACHE_CLUSTER);
	xmlNodePtr n;
	x->id = aws_xml_text(it, "CacheClusterId");
	x->engine = aws_xml_text(it, "Engine");
	x->cluster = aws_xml_text(it, "ReplicationGroupId");
	/* memcached: the configuration endpoint first, then each node */
	add_endpoint_node(x, aws_xml_child(it, "ConfigurationEndpoint"));
	for (n = first_elem(aws_xml_child(it, "CacheNodes")); n; n = next_elem(n))
		add_endpoint_node(x, aws_xml_child(n, "Endpoint"));
	add_groups(x, aws_xml_child(it, "SecurityGroups"), "SecurityGroupId");
}

static void read_replication_group(xmlNodePtr it, struct data_resources *out)
{
	struct data_resource *x = add_resource(out, DATA_CACHE_GROUP);
	xmlNodePtr n;
	x->id = aws_xml_text(it, "ReplicationGroupId");
	x->engine = aws_xml_text(it, "Engine");
	add_endpoint_node(x, aws_xml_child(it, "ConfigurationEndpoint"));
	for (n = first_elem(aws_xml_child(it, "NodeGroups")); n; n = next_elem(n)) {
		add_endpoint_node(x, aws_xml_child(n, "PrimaryEndpoint"));
		add_endpoint_node(x, aws_xml_child(n, "ReaderEndpoint"));
	}
}

int data_describe_all(struct aws_client *c, struct data_resources *out, struct aws_error *err)
{
	size_t i, j, k;
	if (describe_pages(c, "rds", "DescribeDBInstances", "DBInstances", NULL, NULL,
	                   read_db_instance, out, err) ||
	    describe_pages(c, "rds", "DescribeDBClusters", "DBClusters", NULL, NULL,
	                   read_db_cluster, out, err) ||
	    describe_pages(c, "elasticache", "DescribeCacheClusters", "CacheClusters",
	                   "ShowCacheNodeInfo", "true", read_cache_cluster, out, err) ||
	    describe_pages(c, "elasticache", "DescribeReplicationGroups", "ReplicationGroups", NULL,
	                   NULL, read_replication_group, out, err))
		return -1;
	/* A replication group's and an Aurora cluster's groups are its members'. */
	for (i = 0; i < out->n; i++) {
		struct data_resource *m = &out->v[i];
		enum data_kind parent = m->kind == DATA_CACHE_CLUSTER  ? DATA_CACHE_GROUP
		                        : m->kind == DATA_RDS_INSTANCE ? DATA_RDS_CLUSTER
		                                                       : m->kind;
		if (!m->cluster || parent == m->kind)
			continue;
		for (j = 0; j < out->n; j++) {
			struct data_resource *g = &out->v[j];
			if (g->kind != parent || !g->id || strcmp(g->id, m->cluster) != 0)
				continue;
			for (k = 0; k < m->groups.n; k++)
				if (!strlist_has(&g->groups, m->groups.v[k]))
					strlist_add(&g->groups, m->groups.v[k]);
			if (!g->vpc && m->vpc)
				g->vpc = xstrdup(m->vpc);
		}
	}
	return 0;
}
