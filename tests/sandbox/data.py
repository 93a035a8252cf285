"""The data side of an environment: EC2 instances and security groups in
moto's EC2 for each sandbox environment, and what moto's ElastiCache lacks.

- Every environment gets its own security group (awseb-<id>-stack-
  AWSEBSecurityGroup-...) in its VPC (the aws:ec2:vpc VPCId option, or the
  default VPC) and two instances in moto's EC2 carrying that group plus the
  groups of its aws:autoscaling:launchconfiguration SecurityGroups option
  (names or ids). A configuration update that changes those groups replaces
  the instances, as EB's rolling of the launch configuration does.
- DescribeCacheClusters answers CacheNodes[].Endpoint (with
  ShowCacheNodeInfo) and SecurityGroups, in the real API's shape.
- An RDS instance or cache cluster tagged sandbox:address=HOST answers HOST
  as its endpoint address, so tests can point it at a local server.
"""
import random
import string

from moto.core import DEFAULT_ACCOUNT_ID

LAUNCH_NS = "aws:autoscaling:launchconfiguration"
VPC_NS = "aws:ec2:vpc"
ADDRESS_TAG = "sandbox:address"
AMI = "ami-12c6146b"  # one of moto's default images


def _rand(n, alphabet=string.ascii_lowercase + string.digits):
    return "".join(random.choice(alphabet) for _ in range(n))


def _ec2(region):
    from moto.ec2.models import ec2_backends

    return ec2_backends[DEFAULT_ACCOUNT_ID][region]


def _tag(tags, key):
    for t in tags or []:
        if isinstance(t, dict) and t.get("Key") == key:
            return t.get("Value")
    return None


class InvalidGroup(Exception):
    pass


def _vpc_id(ec2, env):
    vpc = env.options.get((VPC_NS, "VPCId"))
    if vpc:
        return vpc
    for v in ec2.vpcs.values():
        if v.is_default == "true" or v.is_default is True:
            return v.id
    return next(iter(ec2.vpcs.values())).id


def _subnet(ec2, env, vpc):
    wanted = [s.strip() for s in (env.options.get((VPC_NS, "Subnets")) or "").split(",") if s.strip()]
    for az in ec2.subnets.values():
        for s in az.values():
            if (wanted and s.id in wanted) or (not wanted and s.vpc_id == vpc):
                return s.id
    return None


def _resolve_groups(ec2, value, vpc):
    """The group ids the SecurityGroups option names (ids or names)."""
    out = []
    for item in [x.strip() for x in (value or "").split(",") if x.strip()]:
        found = None
        for g in ec2.describe_security_groups():
            if g.id == item or (g.name == item and g.vpc_id == vpc):
                found = g.id
        if not found:
            # EB fails the launch with CloudFormation's words; the option is refused here
            raise InvalidGroup(f"The security group '{item}' does not exist")
        out.append(found)
    return out


def launch(env, region):
    """Create the environment's group (once) and its instances in moto's EC2."""
    ec2 = _ec2(region)
    vpc = _vpc_id(ec2, env)
    if not getattr(env, "ec2_group", None):
        name = f"awseb-{env.id}-stack-AWSEBSecurityGroup-{_rand(12, string.ascii_uppercase + string.digits)}"
        g = ec2.create_security_group(name, "Elastic Beanstalk created security group", vpc_id=vpc)
        env.ec2_group = g.id
    groups = [env.ec2_group] + _resolve_groups(ec2, env.options.get((LAUNCH_NS, "SecurityGroups")), vpc)
    kwargs = {"security_group_ids": groups, "instance_type": "t3.micro", "is_instance_type_default": False}
    subnet = _subnet(ec2, env, vpc)
    if subnet:
        kwargs["subnet_id"] = subnet
    old = [i for i in getattr(env, "ec2_instances", [])]
    res = ec2.run_instances(AMI, len(env.instances) or 2, None, [], **kwargs)
    env.instances = [i.id for i in res.instances]
    env.ec2_instances = env.instances[:]
    env.ec2_groups = groups
    if old:
        ec2.terminate_instances(old)


def relaunch_if_changed(env, region):
    ec2 = _ec2(region)
    vpc = _vpc_id(ec2, env)
    groups = [env.ec2_group] + _resolve_groups(ec2, env.options.get((LAUNCH_NS, "SecurityGroups")), vpc)
    if groups != getattr(env, "ec2_groups", None):
        launch(env, region)


def check_groups(env, region):
    """Refuse a SecurityGroups option that names no group (before it is applied)."""
    ec2 = _ec2(region)
    _resolve_groups(ec2, env.options.get((LAUNCH_NS, "SecurityGroups")), _vpc_id(ec2, env))


def terminate(env, region):
    if getattr(env, "ec2_instances", None):
        _ec2(region).terminate_instances(env.ec2_instances)
        env.ec2_instances = []


def patch_backends():
    """What moto's RDS and ElastiCache answers lack."""
    from moto.elasticache.models import CacheCluster
    from moto.elasticache.responses import ElastiCacheResponse
    from moto.rds.models import DBInstance

    rds_address = DBInstance.address

    def address(self):
        return _tag(self.tags, ADDRESS_TAG) or rds_address.fget(self)

    DBInstance.address = property(address)

    def region_code(region):
        # use1 for us-east-1, euw2 for eu-west-2: the label ElastiCache uses
        parts = region.split("-")
        return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]

    def cache_nodes(self):
        if not getattr(self, "_sb_show_nodes", False):
            return None  # as AWS: CacheNodes only with ShowCacheNodeInfo=true
        if not hasattr(self, "_sb_suffix"):
            self._sb_suffix = _rand(6)
        region = self.arn.split(":")[3] if getattr(self, "arn", None) else "us-east-1"
        out = []
        for n in range(1, (self.num_cache_nodes or 1) + 1):
            host = _tag(self.tags, ADDRESS_TAG) or \
                f"{self.cache_cluster_id}.{self._sb_suffix}.{n:04d}.{region_code(region)}.cache.amazonaws.com"
            out.append({"CacheNodeId": f"{n:04d}", "CacheNodeStatus": "available",
                        "CacheNodeCreateTime": self.cache_cluster_create_time,
                        "Endpoint": {"Address": host, "Port": int(self.port)},
                        "ParameterGroupStatus": "in-sync",
                        "CustomerAvailabilityZone": f"{region}a"})
        return out

    def security_groups(self):
        return [{"SecurityGroupId": g, "Status": "active"} for g in self.security_group_ids or []]

    CacheCluster.cache_nodes = property(cache_nodes)
    describe = ElastiCacheResponse.describe_cache_clusters

    def describe_cache_clusters(self):
        # the answer is serialised after this returns: the flag rides on the clusters
        show = str(self._get_param("ShowCacheNodeInfo")).lower() == "true"
        for c in self.elasticache_backend.cache_clusters.values():
            c._sb_show_nodes = show
        return describe(self)

    ElastiCacheResponse.describe_cache_clusters = describe_cache_clusters
    CacheCluster.security_groups = property(security_groups)
