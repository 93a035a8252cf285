/* ebctl doctor's checks: pure functions from what was read to a list of
 * checks (see ebctl/doctor.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/dockerrun.h"
#include "ebctl/doctor.h"

const char *doctor_level_name(enum doctor_level l)
{
	return l == DOCTOR_ERROR ? "error" : l == DOCTOR_WARNING ? "warning" : "ok";
}

void doctor_add(struct doctor_checks *c, const char *id, enum doctor_level level,
                const char *subject, const char *fix, const char *fmt, ...)
{
	struct doctor_check *k;
	struct buf b = BUF_INIT;
	va_list ap;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	k = &c->v[c->n++];
	k->id = id;
	k->level = level;
	k->subject = xstrdup(subject ? subject : "");
	k->fix = fix ? xstrdup(fix) : NULL;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	k->message = b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

void doctor_checks_cleanup(struct doctor_checks *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].subject);
		free(c->v[i].message);
		free(c->v[i].fix);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

enum doctor_level doctor_worst(const struct doctor_checks *c)
{
	enum doctor_level w = DOCTOR_OK;
	size_t i;
	for (i = 0; c && i < c->n; i++)
		if (c->v[i].level > w)
			w = c->v[i].level;
	return w;
}

void doctor_host_cleanup(struct doctor_host *h)
{
	free(h->host);
	memset(h, 0, sizeof(*h));
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* The suffix of a host-naming key, or NULL. */
static const char *host_suffix(const char *key)
{
	static const char *const sfx[] = {"HOSTNAME", "HOST", "ENDPOINT", "ADDRESS", "ADDR"};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(sfx); i++)
		if (ends_with_ci(key, sfx[i]))
			return sfx[i];
	return NULL;
}

static bool host_chars(const char *h, size_t n)
{
	size_t i;
	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-')
			return false;
	return h[0] != '.' && h[0] != '-';
}

static bool split_host_port(const char *s, size_t n, struct doctor_host *out)
{
	const char *colon = memchr(s, ':', n);
	size_t hl = colon ? (size_t)(colon - s) : n;
	long port = 0;
	size_t i;
	if (!host_chars(s, hl) || !memchr(s, '.', hl))
		return false;
	if (colon) {
		char num[8];
		size_t pl = n - hl - 1;
		if (pl == 0 || pl >= sizeof(num))
			return false;
		memcpy(num, colon + 1, pl);
		num[pl] = '\0';
		if (parse_long(num, 1, 65535, &port))
			return false;
	}
	out->host = xstrndup(s, hl);
	for (i = 0; out->host[i]; i++)
		out->host[i] = (char)tolower((unsigned char)out->host[i]);
	out->port = (int)port;
	return true;
}

bool doctor_parse_host(const char *key, const char *value, struct doctor_host *out)
{
	const char *p = strstr(value, "://"), *h, *end;
	memset(out, 0, sizeof(*out));
	if (p) {
		size_t sl = (size_t)(p - value);
		const char *scheme;
		if (sl == 0 || sl >= sizeof(out->scheme))
			return false;
		memcpy(out->scheme, value, sl);
		out->scheme[sl] = '\0';
		for (sl = 0; out->scheme[sl]; sl++)
			out->scheme[sl] = (char)tolower((unsigned char)out->scheme[sl]);
		if (!strcmp(out->scheme, "postgresql"))
			strcpy(out->scheme, "postgres");
		if (!strcmp(out->scheme, "rediss"))
			strcpy(out->scheme, "redis");
		scheme = out->scheme;
		if (strcmp(scheme, "postgres") != 0 && strcmp(scheme, "redis") != 0) {
			out->scheme[0] = '\0';
			return false;
		}
		h = p + 3;
		end = h + strcspn(h, "/?#");
		/* user:password@ comes before the host; the last '@' ends it */
		{
			const char *at = NULL, *q;
			for (q = h; q < end; q++)
				if (*q == '@')
					at = q;
			if (at)
				h = at + 1;
		}
		if (split_host_port(h, (size_t)(end - h), out))
			return true;
		out->scheme[0] = '\0';
		return false;
	}
	h = value;
	while (*h == ' ')
		h++;
	end = h + strlen(h);
	while (end > h && end[-1] == ' ')
		end--;
	if (!split_host_port(h, (size_t)(end - h), out))
		return false;
	if (host_suffix(key) || ends_with_ci(out->host, ".amazonaws.com") ||
	    ends_with_ci(out->host, ".amazonaws.com.cn"))
		return true;
	doctor_host_cleanup(out);
	return false;
}

char *doctor_port_key(const char *host_key)
{
	const char *sfx = host_suffix(host_key);
	size_t n;
	char *k;
	if (!sfx)
		return NULL;
	n = strlen(host_key) - strlen(sfx);
	k = xmalloc(n + 5);
	memcpy(k, host_key, n);
	memcpy(k + n, "PORT", 5);
	return k;
}

size_t doctor_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, d;
	row = xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best;
			int same =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			best = diag + (same ? 0 : 1);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const struct data_resource *doctor_match(const struct data_resources *r, const char *host, int port,
                                         const struct data_endpoint **ep)
{
	const struct data_resource *first = NULL;
	const struct data_endpoint *first_ep = NULL;
	size_t i, j;
	for (i = 0; r && i < r->n; i++)
		for (j = 0; j < r->v[i].neps; j++) {
			const struct data_endpoint *e = &r->v[i].eps[j];
			if (strcasecmp(e->address, host) != 0)
				continue;
			/* one address, several ports (a proxy, a local test): the port decides */
			if (port <= 0 || e->port == port) {
				if (ep)
					*ep = e;
				return &r->v[i];
			}
			if (!first) {
				first = &r->v[i];
				first_ep = e;
			}
		}
	if (ep && first)
		*ep = first_ep;
	return first;
}

const char *doctor_nearest(const struct data_resources *r, const char *host,
                           const struct data_resource **res, size_t *distance)
{
	const char *best = NULL;
	size_t i, j, bd = (size_t)-1;
	for (i = 0; r && i < r->n; i++)
		for (j = 0; j < r->v[i].neps; j++) {
			size_t d = doctor_edit_distance(r->v[i].eps[j].address, host);
			if (d < bd) {
				bd = d;
				best = r->v[i].eps[j].address;
				if (res)
					*res = &r->v[i];
			}
		}
	if (distance)
		*distance = bd;
	return best;
}

static bool parse_ipv4(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	int parts = 0;
	size_t i = 0;
	while (i < n && parts < 4) {
		unsigned long oct = 0;
		size_t start = i;
		while (i < n && isdigit((unsigned char)s[i]) && i - start < 3)
			oct = oct * 10 + (unsigned long)(s[i++] - '0');
		if (i == start || oct > 255)
			return false;
		v = (v << 8) | oct;
		parts++;
		if (parts < 4) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	if (parts != 4 || i != n)
		return false;
	*out = v;
	return true;
}

static bool parse_cidr(const char *s, unsigned long *addr, int *bits)
{
	const char *slash = strchr(s, '/');
	long b = 32;
	if (!parse_ipv4(s, slash ? (size_t)(slash - s) : strlen(s), addr))
		return false;
	if (slash && parse_long(slash + 1, 0, 32, &b))
		return false;
	*bits = (int)b;
	return true;
}

bool doctor_cidr_contains(const char *outer, const char *inner)
{
	unsigned long oa, ia, mask;
	int ob, ib;
	if (!parse_cidr(outer, &oa, &ob) || !parse_cidr(inner, &ia, &ib) || ib < ob)
		return false;
	mask = ob == 0 ? 0 : (0xffffffffUL << (32 - ob)) & 0xffffffffUL;
	return (oa & mask) == (ia & mask);
}

bool doctor_looks_secret(const char *key, const char *value)
{
	static const char *const words[] = {"PASSWORD",    "PASSWD",  "SECRET",     "TOKEN",
	                                    "PRIVATE_KEY", "API_KEY", "ACCESS_KEY", "CREDENTIAL"};
	size_t i;
	char *up = xstrdup(key);
	bool hit = false;
	for (i = 0; up[i]; i++)
		up[i] = (char)toupper((unsigned char)up[i]);
	for (i = 0; i < EBCTL_ARRAY_LEN(words) && !hit; i++)
		hit = strstr(up, words[i]) != NULL;
	if (!hit && strlen(up) > 4 && !strcmp(up + strlen(up) - 4, "_KEY"))
		hit = true;
	free(up);
	if (hit || dr_env_looks_secret(key, value))
		return true;
	/* a URL with a password in it: postgres://user:pass@host, whatever host */
	if (value) {
		const char *p = strstr(value, "://");
		size_t auth = p ? strcspn(p + 3, "/?#") : 0;
		const char *at = p ? memchr(p + 3, '@', auth) : NULL;
		const char *colon = p ? memchr(p + 3, ':', auth) : NULL;
		if (at && colon && colon < at)
			return true;
	}
	return false;
}

static bool rule_covers(const struct ec2_rule *r, int port)
{
	if (r->proto && strcmp(r->proto, "-1") == 0)
		return true;
	if (!r->proto || (strcmp(r->proto, "tcp") != 0 && strcmp(r->proto, "6") != 0))
		return false;
	return r->from <= port && port <= r->to;
}

static bool cidr_covers_all(const char *cidr, const struct strlist *cidrs)
{
	size_t i;
	if (!cidrs || cidrs->n == 0)
		return false;
	for (i = 0; i < cidrs->n; i++)
		if (!doctor_cidr_contains(cidr, cidrs->v[i]))
			return false;
	return true;
}

void doctor_net_eval(const struct ec2_groups *all, const struct strlist *res_groups,
                     const char *res_vpc, const struct strlist *env_groups, const char *env_vpc,
                     const struct strlist *env_cidrs, int port, struct doctor_net_result *out)
{
	const char *missing_group = NULL, *missing_src = NULL;
	size_t i, j, k;

	memset(out, 0, sizeof(*out));
	out->near_from = out->near_to = -2;
	if (res_vpc && env_vpc && strcmp(res_vpc, env_vpc) != 0) {
		out->verdict = DOCTOR_NET_VPC;
		return;
	}
	for (i = 0; res_groups && i < res_groups->n; i++) {
		const struct ec2_group *g = ec2_groups_find(all, res_groups->v[i]);
		if (!g)
			continue;
		for (j = 0; j < g->nrules; j++) {
			const struct ec2_rule *r = &g->rules[j];
			bool covers = rule_covers(r, port);
			for (k = 0; k < r->groups.n; k++) {
				const char *src = r->groups.v[k];
				bool mine = strlist_has(env_groups, src);
				if (covers && mine) {
					out->verdict = !strcmp(src, g->id) ? DOCTOR_NET_SELF
					                                   : DOCTOR_NET_GROUP;
					out->group = g->id;
					out->source = src;
					return;
				}
				if (covers && !missing_group) {
					missing_group = g->id;
					missing_src = src;
				}
				if (!covers && mine && out->near_from == -2) {
					out->near_from = r->from;
					out->near_to = r->to;
					out->group = g->id;
					out->source = src;
				}
			}
			for (k = 0; covers && k < r->cidrs.n; k++)
				if (cidr_covers_all(r->cidrs.v[k], env_cidrs)) {
					out->verdict = DOCTOR_NET_CIDR;
					out->group = g->id;
					out->source = r->cidrs.v[k];
					return;
				}
		}
	}
	if (missing_group) {
		out->verdict = DOCTOR_NET_GROUP_MISSING;
		out->group = missing_group;
		out->source = missing_src;
		return;
	}
	out->verdict = DOCTOR_NET_NO_INGRESS;
}

/* ---- the evaluation ---- */

void doctor_input_cleanup(struct doctor_input *in)
{
	free(in->status);
	free(in->health);
	free(in->health_status);
	strlist_cleanup(&in->causes);
	eb_option_settings_cleanup(&in->settings);
	strlist_cleanup(&in->env_groups);
	strlist_cleanup(&in->option_groups);
	free(in->env_vpc);
	strlist_cleanup(&in->env_cidrs);
	ec2_groups_cleanup(&in->groups);
	data_resources_cleanup(&in->resources);
	free(in->dockerrun_error);
	strlist_cleanup(&in->dockerrun_refs);
	memset(in, 0, sizeof(*in));
}

void doctor_targets_cleanup(struct doctor_targets *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].host);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *doctor_resource_vpc(const struct doctor_input *in, const struct data_resource *r)
{
	size_t i;
	if (r->vpc)
		return r->vpc;
	for (i = 0; i < r->groups.n; i++) {
		const struct ec2_group *g = ec2_groups_find(&in->groups, r->groups.v[i]);
		if (g && g->vpc)
			return g->vpc;
	}
	return NULL;
}

static const char *prop(const struct doctor_input *in, const char *ns, const char *name)
{
	const struct eb_option_setting *s = eb_option_settings_find(&in->settings, ns, name);
	return s ? (s->value ? s->value : "") : NULL;
}

static const char *group_label(const struct doctor_input *in, const char *id, char *out, size_t n)
{
	const struct ec2_group *g = ec2_groups_find(&in->groups, id);
	if (g && g->name && *g->name)
		snprintf(out, n, "%s (%s)", g->name, id);
	else
		snprintf(out, n, "%s", id);
	return out;
}

static void check_env(const struct doctor_input *in, struct doctor_checks *out)
{
	const char *st = in->status ? in->status : "unknown";
	const char *h = in->health ? in->health : "Grey";
	struct buf causes = BUF_INIT, fix = BUF_INIT;
	size_t i;

	if (!strcmp(st, "Ready"))
		doctor_add(out, "env.ready", DOCTOR_OK, in->env_name, NULL,
		           "the environment is Ready");
	else {
		buf_printf(&fix, "ebctl events --env %s -f", in->env_name);
		doctor_add(out, "env.ready", DOCTOR_ERROR, in->env_name, buf_cstr(&fix),
		           "the environment is %s, not Ready", st);
	}
	for (i = 0; i < in->causes.n; i++)
		buf_printf(&causes, "%s%s", i ? "; " : "", in->causes.v[i]);
	if (!strcmp(h, "Green"))
		doctor_add(out, "env.health", DOCTOR_OK, in->env_name, NULL, "health is Green (%s)",
		           in->health_status ? in->health_status : "Ok");
	else
		doctor_add(out, "env.health", !strcmp(h, "Red") ? DOCTOR_ERROR : DOCTOR_WARNING,
		           in->env_name, "ebctl health --env NAME shows each instance",
		           "health is %s (%s)%s%s", h,
		           in->health_status ? in->health_status : "no status",
		           causes.len ? ": " : "", buf_cstr(&causes));
	buf_cleanup(&causes);
	buf_cleanup(&fix);
}

static void check_dockerrun(const struct doctor_input *in, struct doctor_checks *out)
{
	size_t i;
	if (!in->dockerrun_read)
		return;
	if (!in->dockerrun_ok) {
		doctor_add(out, "dockerrun.valid", DOCTOR_ERROR, "Dockerrun.aws.json",
		           "ebctl validate Dockerrun.aws.json",
		           "the deployed Dockerrun.aws.json %s",
		           in->dockerrun_error ? in->dockerrun_error : "does not validate");
		return;
	}
	doctor_add(out, "dockerrun.valid", DOCTOR_OK, "Dockerrun.aws.json", NULL,
	           "the deployed Dockerrun.aws.json validates");
	for (i = 0; i < in->dockerrun_refs.n; i++) {
		const char *k = in->dockerrun_refs.v[i];
		struct buf fix = BUF_INIT;
		if (prop(in, DOCTOR_ENV_NS, k) || prop(in, DOCTOR_SECRETS_NS, k))
			continue;
		buf_printf(&fix, "ebctl setenv --env %s %s=VALUE", in->env_name, k);
		doctor_add(
		    out, "dockerrun.env-missing", DOCTOR_WARNING, k, buf_cstr(&fix),
		    "the Dockerrun file expects '%s' from the environment properties, and no "
		    "property sets it",
		    k);
		buf_cleanup(&fix);
	}
}

static void add_target(struct doctor_targets *t, const char *key, const char *host, int port,
                       const struct data_resource *r)
{
	if (!t)
		return;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n].key = xstrdup(key);
	t->v[t->n].host = xstrdup(host);
	t->v[t->n].port = port;
	t->v[t->n++].res = r;
}

static void check_network(const struct doctor_input *in, const struct data_resource *r, int port,
                          struct doctor_checks *out)
{
	struct doctor_net_result nr;
	struct buf subj = BUF_INIT, fix = BUF_INIT;
	const char *rvpc = doctor_resource_vpc(in, r);
	const char *src = in->option_groups.n ? in->option_groups.v[0]
	                  : in->env_groups.n  ? in->env_groups.v[0]
	                                      : "ENV_GROUP";
	char a[160], b[160];
	size_t i;

	buf_printf(&subj, "%s %s", data_kind_name(r->kind), r->id);
	doctor_net_eval(&in->groups, &r->groups, rvpc, &in->env_groups, in->env_vpc, &in->env_cidrs,
	                port, &nr);
	switch (nr.verdict) {
	case DOCTOR_NET_SELF:
		doctor_add(out, "net.ingress", DOCTOR_OK, buf_cstr(&subj), NULL,
		           "port %d is open: %s is on both sides and allows its own members", port,
		           group_label(in, nr.group, a, sizeof(a)));
		break;
	case DOCTOR_NET_GROUP:
		doctor_add(out, "net.ingress", DOCTOR_OK, buf_cstr(&subj), NULL,
		           "port %d is open: %s allows the environment's %s", port,
		           group_label(in, nr.group, a, sizeof(a)),
		           group_label(in, nr.source, b, sizeof(b)));
		break;
	case DOCTOR_NET_CIDR:
		doctor_add(out, "net.ingress", DOCTOR_OK, buf_cstr(&subj), NULL,
		           "port %d is open: %s allows %s, which covers the environment's subnets",
		           port, group_label(in, nr.group, a, sizeof(a)), nr.source);
		break;
	case DOCTOR_NET_VPC:
		doctor_add(
		    out, "net.vpc", DOCTOR_ERROR, buf_cstr(&subj),
		    "create the resource in the environment's VPC (or the environment in the "
		    "resource's), or peer the VPCs",
		    "the environment is in %s, the %s is in %s: no security group rule connects "
		    "them",
		    in->env_vpc, data_kind_name(r->kind), rvpc);
		break;
	case DOCTOR_NET_GROUP_MISSING: {
		buf_printf(&fix,
		           "aws elasticbeanstalk update-environment --environment-name %s "
		           "--option-settings "
		           "Namespace=aws:autoscaling:launchconfiguration,OptionName="
		           "SecurityGroups,Value=",
		           in->env_name);
		for (i = 0; i < in->option_groups.n; i++)
			buf_printf(&fix, "%s,", in->option_groups.v[i]);
		buf_printf(&fix, "%s", nr.source);
		doctor_add(
		    out, "net.group-missing", DOCTOR_ERROR, buf_cstr(&subj), buf_cstr(&fix),
		    "%s allows port %d from %s, which the environment's instances do not have",
		    group_label(in, nr.group, a, sizeof(a)), port,
		    group_label(in, nr.source, b, sizeof(b)));
		break;
	}
	case DOCTOR_NET_NO_INGRESS:
		buf_printf(&fix,
		           "aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp "
		           "--port %d "
		           "--source-group %s   (or: ebctl link --authorize)",
		           r->groups.n ? r->groups.v[0] : "RESOURCE_GROUP", port, src);
		if (nr.near_from != -2)
			doctor_add(out, "net.ingress", DOCTOR_ERROR, buf_cstr(&subj),
			           buf_cstr(&fix),
			           "%s allows the environment's %s on ports %d-%d, not on %d",
			           group_label(in, nr.group, a, sizeof(a)),
			           group_label(in, nr.source, b, sizeof(b)), nr.near_from,
			           nr.near_to, port);
		else
			doctor_add(
			    out, "net.ingress", DOCTOR_ERROR, buf_cstr(&subj), buf_cstr(&fix),
			    "no inbound rule of its groups allows port %d from the environment's "
			    "groups or subnets",
			    port);
		break;
	}
	buf_cleanup(&subj);
	buf_cleanup(&fix);
}

static void check_endpoints(const struct doctor_input *in, struct doctor_checks *out,
                            struct doctor_targets *targets)
{
	const struct data_resource **seen = xcalloc(in->resources.n + 1, sizeof(*seen));
	size_t nseen = 0, i, j, nhosts = 0;

	for (i = 0; i < in->settings.n; i++) {
		const struct eb_option_setting *s = &in->settings.v[i];
		const struct data_resource *r, *near_res = NULL;
		const struct data_endpoint *ep = NULL;
		struct doctor_host h;
		const char *near;
		char *pkey = NULL;
		int port;
		bool dup = false;

		if (strcmp(s->ns, DOCTOR_ENV_NS) != 0 || !s->value ||
		    !doctor_parse_host(s->name, s->value, &h))
			continue;
		nhosts++;
		/* the port: the value's own, else the sibling property's */
		port = h.port;
		pkey = h.port ? NULL : doctor_port_key(s->name);
		if (pkey) {
			const char *pv = prop(in, DOCTOR_ENV_NS, pkey);
			long v;
			if (pv && parse_long(pv, 1, 65535, &v) == 0)
				port = (int)v;
			else if (pv)
				port = -1;
		}
		r = doctor_match(&in->resources, h.host, port, &ep);
		if (!r) {
			struct buf fix = BUF_INIT;
			size_t d;
			near = doctor_nearest(&in->resources, h.host, &near_res, &d);
			if (near) {
				buf_printf(&fix, "ebctl setenv --env %s %s=%s", in->env_name,
				           s->name, near);
				doctor_add(
				    out, "endpoint.unknown", DOCTOR_ERROR, s->name, buf_cstr(&fix),
				    "'%s' is no RDS or ElastiCache endpoint of this region; the "
				    "nearest "
				    "is '%s' (%s %s)",
				    h.host, near, data_kind_name(near_res->kind), near_res->id);
			} else {
				doctor_add(out, "endpoint.unknown", DOCTOR_ERROR, s->name, NULL,
				           "'%s' is no RDS or ElastiCache endpoint, and the region "
				           "has none",
				           h.host);
			}
			buf_cleanup(&fix);
			free(pkey);
			doctor_host_cleanup(&h);
			continue;
		}
		doctor_add(out, "endpoint.match", DOCTOR_OK, s->name, NULL, "%s is the %s %s (%s)",
		           h.host, data_kind_name(r->kind), r->id, r->engine ? r->engine : "?");
		if (port < 0) {
			struct buf fix = BUF_INIT;
			buf_printf(&fix, "ebctl setenv --env %s %s=%d", in->env_name, pkey,
			           ep->port);
			doctor_add(out, "endpoint.port", DOCTOR_ERROR, pkey, buf_cstr(&fix),
			           "'%s' is not a port; %s %s listens on %d",
			           prop(in, DOCTOR_ENV_NS, pkey), data_kind_name(r->kind), r->id,
			           ep->port);
			buf_cleanup(&fix);
		}
		if (port > 0 && ep->port && port != ep->port) {
			struct buf fix = BUF_INIT;
			if (h.port)
				buf_printf(&fix, "ebctl setenv --env %s %s=<the same with port %d>",
				           in->env_name, s->name, ep->port);
			else
				buf_printf(&fix, "ebctl setenv --env %s %s=%d", in->env_name, pkey,
				           ep->port);
			doctor_add(out, "endpoint.port", DOCTOR_ERROR, h.port ? s->name : pkey,
			           buf_cstr(&fix), "port %d does not match: %s %s listens on %d",
			           port, data_kind_name(r->kind), r->id, ep->port);
			buf_cleanup(&fix);
		} else if (port > 0) {
			doctor_add(out, "endpoint.port", DOCTOR_OK, h.port ? s->name : pkey, NULL,
			           "port %d is the %s's", port, data_kind_name(r->kind));
		}
		add_target(targets, s->name, h.host, ep->port, r);
		for (j = 0; j < nseen; j++)
			dup = dup || seen[j] == r;
		if (!dup) {
			seen[nseen++] = r;
			check_network(in, r, ep->port, out);
		}
		free(pkey);
		doctor_host_cleanup(&h);
	}
	if (nhosts == 0)
		doctor_add(out, "endpoint.match", DOCTOR_WARNING, in->env_name,
		           "ebctl link --env NAME --rds DBID [--redis CACHEID]",
		           "no environment property names an RDS or ElastiCache endpoint");
	free(seen);
}

static bool is_reference(const char *v)
{
	return str_starts_with(v, "arn:aws:secretsmanager:") ||
	       str_starts_with(v, "arn:aws:ssm:") || str_starts_with(v, "arn:aws-cn:") ||
	       str_starts_with(v, "arn:aws-us-gov:");
}

static void check_secrets(const struct doctor_input *in, struct doctor_checks *out)
{
	size_t i;
	for (i = 0; i < in->settings.n; i++) {
		const struct eb_option_setting *s = &in->settings.v[i];
		struct buf fix = BUF_INIT;
		if (!s->value || !*s->value)
			continue;
		if (!strcmp(s->ns, DOCTOR_SECRETS_NS)) {
			doctor_add(
			    out, "secret.reference",
			    is_reference(s->value) ? DOCTOR_OK : DOCTOR_ERROR, s->name, NULL,
			    is_reference(s->value)
			        ? "a reference to Secrets Manager or Parameter Store"
			        : "in the secrets namespace, but not a Secrets Manager or SSM ARN");
			continue;
		}
		if (strcmp(s->ns, DOCTOR_ENV_NS) != 0 || is_reference(s->value) ||
		    !doctor_looks_secret(s->name, s->value))
			continue;
		buf_printf(&fix,
		           "aws elasticbeanstalk update-environment --environment-name %s "
		           "--option-settings "
		           "Namespace=%s,OptionName=%s,Value=ARN_OF_THE_SECRET --options-to-remove "
		           "Namespace=%s,OptionName=%s",
		           in->env_name, DOCTOR_SECRETS_NS, s->name, DOCTOR_ENV_NS, s->name);
		doctor_add(
		    out, "secret.plaintext", DOCTOR_WARNING, s->name, buf_cstr(&fix),
		    "looks like a secret stored in plain text: keep it in Secrets Manager or SSM "
		    "Parameter Store and reference its ARN in %s",
		    DOCTOR_SECRETS_NS);
		buf_cleanup(&fix);
	}
}

void doctor_evaluate(const struct doctor_input *in, struct doctor_checks *out,
                     struct doctor_targets *targets)
{
	check_env(in, out);
	check_dockerrun(in, out);
	check_endpoints(in, out, targets);
	check_secrets(in, out);
}
