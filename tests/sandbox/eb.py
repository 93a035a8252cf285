"""Elastic Beanstalk for the sandbox: the actions moto lacks, added to moto's own
EBResponse so that they go through moto's request parsing, signature check and
response serializer (the botocore model gives the real XML shapes).

State lives in one Simulation. Time-based changes (launches, deployments, log
pulls) are scheduled as timers and applied, stamped with their scheduled time,
whenever a request arrives: nothing sleeps inside a request handler."""
import datetime as dt
import heapq
import io
import json
import random
import re
import string
import threading
import time
import uuid
import zipfile

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult
from moto.elasticbeanstalk.responses import EBResponse

import data

SEVERITIES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
STACK = "64bit Amazon Linux 2 v3.8.0 running ECS"
# The platform catalogue, as ListPlatformVersions returns it: (branch, version,
# branch lifecycle, os version, the version's own lifecycle). A retiring branch
# (ECS and Docker on Amazon Linux 2) beside the current ones.
PLATFORMS = [
    ("ECS running on 64bit Amazon Linux 2023", "4.3.1", "Supported", "2023", "Recommended"),
    ("ECS running on 64bit Amazon Linux 2023", "4.2.8", "Supported", "2023", None),
    ("Docker running on 64bit Amazon Linux 2023", "4.4.2", "Supported", "2023", "Recommended"),
    ("Docker running on 64bit Amazon Linux 2023", "4.3.0", "Supported", "2023", None),
    ("ECS running on 64bit Amazon Linux 2", "3.8.0", "Deprecated", "2", "Recommended"),
    ("ECS running on 64bit Amazon Linux 2", "3.6.0", "Deprecated", "2", None),
    ("Docker running on 64bit Amazon Linux 2", "3.9.1", "Deprecated", "2", "Recommended"),
]
# The IAM instance profile a new environment's instances get unless told otherwise.
DEFAULT_INSTANCE_PROFILE = "aws-elasticbeanstalk-ec2-role"


def platform_arn(branch, version, region="us-east-1"):
    return f"arn:aws:elasticbeanstalk:{region}::platform/{branch}/{version}"


def solution_stack(branch, version):
    """'ECS running on 64bit Amazon Linux 2023' 4.3.1 -> '64bit Amazon Linux 2023 v4.3.1 running ECS'."""
    kind, _, os_name = branch.partition(" running on ")
    return f"{os_name} v{version} running {kind}"


def find_platform(arn=None, stack=None):
    """The catalogue row of a PlatformArn or SolutionStackName, or None."""
    for row in PLATFORMS:
        if arn and arn == platform_arn(row[0], row[1]):
            return row
        if stack and stack == solution_stack(row[0], row[1]):
            return row
    return None
ENV_NS = "aws:elasticbeanstalk:application:environment"
LAUNCH_NS = "aws:autoscaling:launchconfiguration"
WORKER_NS = "aws:elasticbeanstalk:sqsd"
DEFAULT_OPTIONS = [
    ("aws:autoscaling:asg", "MinSize", "2"),
    ("aws:autoscaling:asg", "MaxSize", "4"),
    ("aws:autoscaling:launchconfiguration", "InstanceType", "t3.micro"),
    ("aws:elasticbeanstalk:command", "DeploymentPolicy", "AllAtOnce"),
    ("aws:elasticbeanstalk:command", "Timeout", "600"),
    ("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
    ("aws:elasticbeanstalk:environment", "LoadBalancerType", "application"),
    ("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
]
CAUSES_UNHEALTHY = ["100.0 % of the requests are failing with HTTP 5xx.",
                    "ELB processes are not healthy on all instances.",
                    "ELB health is failing or not available for all instances."]


class InvalidParameterValue(ServiceException):
    code = "InvalidParameterValue"


class TooManyApplicationVersions(ServiceException):
    code = "TooManyApplicationVersionsException"


class ResourceNotFound(ServiceException):
    code = "ResourceNotFoundException"


class MissingParameter(ServiceException):
    code = "MissingParameter"


def _now():
    return time.time()


def _stamp(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc)


def _epoch(value):
    """A timestamp parameter (datetime or ISO 8601 string) as epoch seconds."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).replace("Z", "+00:00")
    try:
        d = dt.datetime.fromisoformat(s)
    except ValueError:
        raise InvalidParameterValue(f"Invalid timestamp: '{value}'.")
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return d.timestamp()


def _rand(n, alphabet=string.ascii_lowercase + string.digits):
    return "".join(random.choice(alphabet) for _ in range(n))


def image_outcome(images):
    """What a deployment of these images does: (ending, slow)."""
    tags = set()
    for image in images:
        last = image.rsplit("/", 1)[-1]
        if ":" in last:
            tags.add(last.rsplit(":", 1)[1])
    ending = "fail-deploy" if "fail-deploy" in tags else "unhealthy" if "unhealthy" in tags else "ok"
    return ending, "slow" in tags


def bundle_images(data):
    """The images a source bundle's Dockerrun.aws.json names (v1 and v2);
    None when the bundle is not a zip or has no readable Dockerrun file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            doc = json.loads(z.read("Dockerrun.aws.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(doc, dict):
        return None
    images = []
    for c in doc.get("containerDefinitions") or []:
        if isinstance(c, dict) and isinstance(c.get("image"), str):
            images.append(c["image"])
    image = doc.get("Image")
    if isinstance(image, dict) and isinstance(image.get("Name"), str):
        images.append(image["Name"])
    return images


class Application:
    def __init__(self, name, description, t):
        self.name = name
        self.description = description
        self.created = self.updated = t
        self.versions = {}  # label -> Version, in creation order

    def describe(self, sim):
        d = {"ApplicationArn": sim.arn("application", self.name), "ApplicationName": self.name,
             "DateCreated": _stamp(self.created), "DateUpdated": _stamp(self.updated),
             "Versions": list(reversed(self.versions)), "ConfigurationTemplates": []}
        if self.description:
            d["Description"] = self.description
        if getattr(self, "lifecycle", None):
            d["ResourceLifecycleConfig"] = self.lifecycle
        return d


class Version:
    def __init__(self, app, label, description, bucket, key, status, t):
        self.app = app
        self.label = label
        self.description = description
        self.bucket = bucket
        self.key = key
        self.status = status
        self.created = self.updated = t

    def describe(self, sim):
        d = {"ApplicationVersionArn": sim.arn("applicationversion", f"{self.app}/{self.label}"),
             "ApplicationName": self.app, "VersionLabel": self.label,
             "SourceBundle": {"S3Bucket": self.bucket, "S3Key": self.key},
             "DateCreated": _stamp(self.created), "DateUpdated": _stamp(self.updated),
             "Status": self.status}
        if self.description:
            d["Description"] = self.description
        return d


class Environment:
    def __init__(self, app, name, t, cname_prefix, stack, description, tier):
        self.app = app
        self.name = name
        self.id = "e-" + _rand(10)
        self.description = description
        self.stack = stack
        self.cname = (f"{cname_prefix}.us-east-1.elasticbeanstalk.com" if cname_prefix
                      else f"{name}.eba-{_rand(8)}.us-east-1.elasticbeanstalk.com")
        self.endpoint = f"awseb-{self.id[:4]}-AWSEBLoa-{_rand(12, string.ascii_uppercase + string.digits)}" \
                        ".us-east-1.elb.amazonaws.com"
        self.tier = tier
        row = find_platform(stack=stack)
        self.platform_arn = platform_arn(row[0], row[1]) if row else \
            "arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2/3.8.0"
        self.tags = {}
        self.version_label = None
        self.status = "Launching"
        self.abortable = False
        self.health = "Grey"
        self.health_status = "Pending"
        self.causes = []
        self.created = self.updated = t
        self.instances = ["i-0" + _rand(16, "0123456789abcdef") for _ in range(2)]
        self.options = {(ns, name): value for ns, name, value in DEFAULT_OPTIONS}
        self.update_request = None  # request id of the operation in progress
        self.previous_label = None
        self.info = []  # [{InfoType, Ec2InstanceId, t, bucket, key}]

    def describe(self, sim):
        d = {"EnvironmentName": self.name, "EnvironmentId": self.id, "ApplicationName": self.app,
             "SolutionStackName": self.stack,
             "PlatformArn": self.platform_arn,
             "EndpointURL": self.endpoint, "CNAME": self.cname,
             "DateCreated": _stamp(self.created), "DateUpdated": _stamp(self.updated),
             "Status": self.status, "AbortableOperationInProgress": self.abortable,
             "Health": self.health, "HealthStatus": self.health_status, "Tier": self.tier,
             "EnvironmentLinks": [], "EnvironmentArn": sim.arn("environment", f"{self.app}/{self.name}")}
        if self.version_label:
            d["VersionLabel"] = self.version_label
        if self.description:
            d["Description"] = self.description
        return d

    def set_health(self, color, status, causes=()):
        self.health, self.health_status, self.causes = color, status, list(causes)


class Simulation:
    def __init__(self, deploy_seconds, endpoint, region="us-east-1", account=DEFAULT_ACCOUNT_ID):
        self.lock = threading.RLock()
        self.deploy_seconds = deploy_seconds
        self.max_versions = 1000  # EB's default quota; --max-versions sets another
        self.endpoint = endpoint
        self.region = region
        self.account = account
        self.credentials = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        self.apps = {}
        self.envs = []
        self.events = []  # dicts with "_t" and "_seq" keys
        self._seq = 0
        self._timers = []  # heap of (t, seq, env id, fn)
        self._presigner = None

    # ---- time ------------------------------------------------------------
    def at(self, t, env, fn):
        self._seq += 1
        heapq.heappush(self._timers, (t, self._seq, env.id if env else "", fn))

    def cancel(self, env):
        self._timers = [x for x in self._timers if x[2] != env.id]
        heapq.heapify(self._timers)

    def advance(self, now=None):
        now = _now() if now is None else now
        with self.lock:
            while self._timers and self._timers[0][0] <= now:
                t, _, _, fn = heapq.heappop(self._timers)
                fn(t)

    # ---- helpers ---------------------------------------------------------
    def arn(self, kind, path):
        return f"arn:aws:elasticbeanstalk:{self.region}:{self.account}:{kind}/{path}"

    def storage_bucket(self):
        name = f"elasticbeanstalk-{self.region}-{self.account}"
        s3 = s3_backend()
        if name not in s3.buckets:
            s3.create_bucket(name, self.region)
        return name

    def event(self, t, severity, message, env=None, app=None, request_id=None, version=None):
        self._seq += 1
        # Whole milliseconds, as EventDate goes on the wire: a client that
        # passes an event's date back as StartTime/EndTime must meet the same
        # instant, not one rounded away from it.
        t = int(t * 1000) / 1000.0
        e = {"_t": t, "_seq": self._seq, "EventDate": _stamp(t), "Message": message, "Severity": severity}
        if env is not None:
            e["EnvironmentName"] = env.name
            e["_env_id"] = env.id
            app = env.app
        if app:
            e["ApplicationName"] = app
        if request_id:
            e["RequestId"] = request_id
        if version:
            e["VersionLabel"] = version
        self.events.append(e)

    def app(self, name):
        if not name:
            raise MissingParameter("The request must contain the parameter ApplicationName.")
        a = self.apps.get(name)
        if a is None:
            raise InvalidParameterValue(f"No Application named '{name}' found.")
        return a

    def env(self, name=None, env_id=None, app=None):
        for e in self.envs:
            if e.status == "Terminated":
                continue
            if env_id and e.id != env_id:
                continue
            if name and e.name != name:
                continue
            if app and e.app != app:
                continue
            if env_id or name:
                return e
        if env_id:
            raise InvalidParameterValue(f"No Environment found for EnvironmentId = '{env_id}'.")
        if name:
            raise InvalidParameterValue(f"No Environment found for EnvironmentName = '{name}'.")
        raise MissingParameter("You must specify either the EnvironmentName or the EnvironmentId parameter.")

    def read_bundle(self, version):
        key = s3_backend().get_object(version.bucket, version.key) if version.bucket in s3_backend().buckets else None
        return None if key is None else key.value

    def presign(self, bucket, key):
        if self._presigner is None:
            import boto3
            from botocore.config import Config

            self._presigner = boto3.session.Session().client(
                "s3", region_name=self.region, endpoint_url=self.endpoint,
                aws_access_key_id=self.credentials[0], aws_secret_access_key=self.credentials[1],
                config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
        return self._presigner.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=900)

    # ---- applications and versions -----------------------------------------
    def create_application(self, name, description, t):
        if not name:
            raise MissingParameter("The request must contain the parameter ApplicationName.")
        if name in self.apps:
            raise InvalidParameterValue(f"Application {name} already exists.")
        a = self.apps[name] = Application(name, description, t)
        return a

    def create_version(self, rid, app_name, label, description, bundle, process, auto_create, t):
        if not label:
            raise MissingParameter("The request must contain the parameter VersionLabel.")
        if app_name not in self.apps and auto_create:
            self.create_application(app_name, None, t)
        app = self.app(app_name)
        if label in app.versions:
            raise InvalidParameterValue(f"Application Version {label} already exists.")
        if sum(len(a.versions) for a in self.apps.values()) >= self.max_versions:
            # EB's quota counts the account's versions in the region
            raise TooManyApplicationVersions("The specified account has reached its limit of application "
                                             "versions.")
        bucket = (bundle or {}).get("S3Bucket")
        key = (bundle or {}).get("S3Key")
        if not bucket or not key:
            bucket, key = self.storage_bucket(), "sample-application.zip"
            s3_backend().put_object(bucket, key, sample_bundle())
        s3 = s3_backend()
        if bucket not in s3.buckets or s3.get_object(bucket, key) is None:
            raise InvalidParameterValue(
                f"Unable to download from S3 location (Bucket: {bucket} Key: {key}). Reason: Not Found")
        v = Version(app_name, label, description, bucket, key, "PROCESSING" if process else "UNPROCESSED", t)
        app.versions[label] = v
        app.updated = t
        if process:
            ok = bundle_images(self.read_bundle(v) or b"") is not None

            def processed(when):
                v.status = "PROCESSED" if ok else "FAILED"
                v.updated = when
                if not ok:
                    self.event(when, "ERROR", f"Failed to process application version {label}: the source "
                               "bundle has no valid Dockerrun.aws.json.", app=app_name, request_id=rid,
                               version=label)

            self.at(t + self.deploy_seconds * 0.5, None, processed)
        return v

    def delete_version(self, app_name, label, delete_bundle):
        app = self.app(app_name)
        v = app.versions.get(label)
        if v is None:
            raise InvalidParameterValue(f"No Application Version named '{label}' found.")
        users = [e.name for e in self.envs if e.app == app_name and e.status != "Terminated"
                 and label in (e.version_label, e.previous_label if e.status == "Updating" else None)]
        if users:
            raise InvalidParameterValue(f"Unable to delete application version '{label}' because it is "
                                        f"being used by environment(s): {', '.join(users)}")
        del app.versions[label]
        if delete_bundle and v.bucket in s3_backend().buckets:
            s3_backend().delete_object(v.bucket, v.key)

    # ---- environments ------------------------------------------------------
    def outcome(self, label, app):
        v = self.apps[app].versions.get(label) if label else None
        if v is None:
            return "ok", False
        images = bundle_images(self.read_bundle(v) or b"")
        if images is None:
            return "fail-deploy", False
        return image_outcome(images)

    def create_environment(self, rid, p, t):
        app = self.app(p.get("ApplicationName"))
        name = p.get("EnvironmentName")
        if not name:
            raise MissingParameter("The request must contain the parameter EnvironmentName.")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{2,38}", name):
            raise InvalidParameterValue(f"Value {name} at 'EnvironmentName' failed to satisfy constraint: "
                                        "Member must have length between 4 and 40 and contain only "
                                        "letters, digits and hyphens")
        if any(e.name == name and e.status != "Terminated" for e in self.envs):
            raise InvalidParameterValue(f"Environment {name} already exists.")
        label = p.get("VersionLabel")
        if label and label not in app.versions:
            raise InvalidParameterValue(f"No Application Version named '{label}' found.")
        tier = p.get("Tier") or {"Name": "WebServer", "Type": "Standard", "Version": "1.0"}
        stack = p.get("SolutionStackName")
        if p.get("PlatformArn"):
            row = find_platform(arn=p["PlatformArn"])
            if not row:
                raise InvalidParameterValue(f"No Platform named '{p['PlatformArn']}' found.")
            stack = solution_stack(row[0], row[1])
        prefix = p.get("CNAMEPrefix")
        if prefix and not self.dns_available(prefix):
            raise InvalidParameterValue(f"DNS name ({prefix}.{self.region}.elasticbeanstalk.com) is not "
                                        "available.")
        env = Environment(app.name, name, t, prefix, stack or STACK, p.get("Description"), dict(tier))
        self.apply_options(env, p.get("OptionSettings") or [], p.get("OptionsToRemove") or [])
        if tier.get("Name") == "Worker" and (WORKER_NS, "WorkerQueueURL") not in env.options:
            # The platform makes the queue when none is given.
            env.options[(WORKER_NS, "WorkerQueueURL")] = \
                f"https://sqs.{self.region}.amazonaws.com/{self.account}/awseb-{env.id}-AWSEBWorkerQueue-" \
                f"{_rand(12, string.ascii_uppercase + string.digits)}"
        env.tags = {t_["Key"]: t_.get("Value", "") for t_ in p.get("Tags") or []}
        try:
            data.launch(env, self.region)
        except data.InvalidGroup as e:
            raise InvalidParameterValue(str(e))
        profile = env.options.get((LAUNCH_NS, "IamInstanceProfile"), DEFAULT_INSTANCE_PROFILE)
        env.version_label = label
        env.update_request = rid
        self.envs.append(env)
        ending, slow = self.outcome(label, app.name)
        d = self.deploy_seconds * (10 if slow else 1)
        bucket = self.storage_bucket()
        self.event(t, "INFO", "createEnvironment is starting.", env, request_id=rid)
        self.event(t, "INFO", f"Using {bucket} as Amazon S3 storage bucket for environment data.", env,
                   request_id=rid)

        def half(when):
            self.event(when, "INFO", f"Created security group named: awseb-{env.id}-stack-AWSEBSecurityGroup-"
                       f"{_rand(12, string.ascii_uppercase + string.digits)}", env, request_id=rid)
            self.event(when, "INFO", "Waiting for EC2 instances to launch. This may take a few minutes.", env,
                       request_id=rid)

        def launched(when):
            env.status, env.updated, env.update_request = "Ready", when, None
            if not instance_profile_exists(profile):
                # What EB does: the environment launches, its instances never join.
                env.set_health("Red", "Severe", ["The instance profile does not exist."])
                self.event(when, "ERROR", f"The instance profile {profile} associated with the environment "
                           "does not exist.", env, request_id=rid)
                self.event(when, "ERROR", "Failed to launch environment.", env, request_id=rid)
                return
            if ending == "ok":
                env.set_health("Green", "Ok")
            else:
                env.set_health("Red", "Severe", CAUSES_UNHEALTHY)
            self.event(when, "INFO", f"Application available at {env.cname}.", env, request_id=rid)
            self.event(when, "INFO", f"Successfully launched environment: {env.name}", env, request_id=rid)

        self.at(t + d * 0.5, env, half)
        self.at(t + d, env, launched)
        return env

    def dns_available(self, prefix):
        taken = f"{prefix}.{self.region}.elasticbeanstalk.com".lower()
        return not any(e.cname.lower() == taken and e.status != "Terminated" for e in self.envs)

    def resource(self, arn):
        """The application or environment an ARN names, for the tag actions."""
        for e in self.envs:
            if self.arn("environment", f"{e.app}/{e.name}") == arn and e.status != "Terminated":
                return e
        for a in self.apps.values():
            if self.arn("application", a.name) == arn:
                return a
        raise ResourceNotFound(f"Resource with ARN: {arn} not found.")

    def platforms(self, p):
        filters = p.get("Filters") or []
        out = []
        for branch, version, branch_state, os_version, state in PLATFORMS:
            row = {"PlatformArn": platform_arn(branch, version), "PlatformOwner": "AWSElasticBeanstalk",
                   "PlatformStatus": "Ready", "PlatformCategory": branch.split(" ")[0],
                   "OperatingSystemName": "Amazon Linux", "OperatingSystemVersion": os_version,
                   "SupportedTierList": ["WebServer/Standard", "Worker/SQS/HTTP"], "SupportedAddonList": [],
                   "PlatformVersion": version, "PlatformBranchName": branch,
                   "PlatformBranchLifecycleState": branch_state}
            if state:
                row["PlatformLifecycleState"] = state
            fields = {"PlatformName": branch, "PlatformBranchName": branch, "PlatformVersion": version,
                      "PlatformLifecycleState": state or "", "PlatformStatus": "Ready",
                      "PlatformOwner": "AWSElasticBeanstalk"}
            keep = True
            for f in filters:
                have = fields.get(f.get("Type"))
                if have is None:
                    raise InvalidParameterValue(f"Invalid filter type: {f.get('Type')}")
                values = f.get("Values") or []
                op = f.get("Operator") or "="
                tests = {"=": lambda v: have == v, "!=": lambda v: have != v,
                         "contains": lambda v: v in have, "begins_with": lambda v: have.startswith(v),
                         "ends_with": lambda v: have.endswith(v)}
                if op not in tests:
                    raise InvalidParameterValue(f"Invalid filter operator: {op}")
                keep = keep and any(tests[op](v) for v in values)
            if keep:
                out.append(row)
        return out

    def apply_options(self, env, settings, removals):
        for s in settings:
            ns, name = s.get("Namespace"), s.get("OptionName")
            if not ns or not name:
                raise InvalidParameterValue("Each option setting needs a Namespace and an OptionName.")
            value = s.get("Value")
            if ns == ENV_NS and len(name) > 128:
                raise InvalidParameterValue(f"Environment property name '{name}' is longer than 128 characters.")
            env.options[(ns, name)] = "" if value is None else value
        for r in removals:
            env.options.pop((r.get("Namespace"), r.get("OptionName")), None)
        props = sum(len(k[1]) + len(v) + 1 for k, v in env.options.items() if k[0] == ENV_NS)
        if props > 4096:
            raise InvalidParameterValue("The combined size of all environment properties exceeds 4096 bytes.")

    def update_environment(self, rid, p, t):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if env.status != "Ready":
            raise InvalidParameterValue(
                f"Environment named {env.name} is in an invalid state for this operation. Must be Ready.")
        label = p.get("VersionLabel")
        app = self.apps[env.app]
        if label and label not in app.versions:
            raise InvalidParameterValue(f"No Application Version named '{label}' found.")
        settings, removals = p.get("OptionSettings") or [], p.get("OptionsToRemove") or []
        saved = dict(env.options)
        try:
            self.apply_options(env, settings, removals)
            data.check_groups(env, self.region)
        except data.InvalidGroup as e:
            env.options = saved
            raise InvalidParameterValue(str(e))
        except ServiceException:
            env.options = saved
            raise
        data.relaunch_if_changed(env, self.region)
        if p.get("Description") is not None:
            env.description = p.get("Description")
        platform = p.get("PlatformArn")
        row = find_platform(arn=platform) if platform else None
        if platform and not row:
            raise InvalidParameterValue(f"No Platform named '{platform}' found.")
        if not label and not settings and not removals and not platform:
            env.updated = t
            return env
        self.cancel(env)
        env.status, env.abortable, env.updated, env.update_request = "Updating", True, t, rid
        env.set_health("Green", "Info")
        env.previous_label = env.version_label
        self.event(t, "INFO", "Environment update is starting.", env, request_id=rid, version=label)
        if platform:
            env.platform_arn, env.stack = platform, solution_stack(row[0], row[1])
            self.event(t, "INFO", f"Updating the platform of environment {env.name} to {row[0]} {row[1]}.",
                       env, request_id=rid)
        if not label:
            self.event(t, "INFO", f"Updating environment {env.name}'s configuration settings.", env,
                       request_id=rid)

            def configured(when):
                env.status, env.abortable, env.updated, env.update_request = "Ready", False, when, None
                env.set_health("Green", "Ok")
                self.event(when, "INFO", "Successfully deployed new configuration to environment.", env,
                           request_id=rid)
                self.event(when, "INFO", "Environment update completed successfully.", env, request_id=rid)

            self.at(t + self.deploy_seconds, env, configured)
            return env
        env.version_label = label
        ending, slow = self.outcome(label, env.app)
        d = self.deploy_seconds * (10 if slow else 1)
        ev = lambda when, sev, msg: self.event(when, sev, msg, env, request_id=rid, version=label)  # noqa: E731
        self.at(t + d * 0.2, env, lambda when: ev(when, "INFO", "Deploying new version to instance(s)."))
        if ending == "fail-deploy":
            def failed(when):
                for i in env.instances:
                    ev(when, "ERROR", f"[Instance: {i}] Command failed on instance. Return code: 1 Output: "
                       "Engine execution has encountered an error..")
                ev(when, "ERROR", "Instance deployment failed. For details, see 'eb-engine.log'.")
                ev(when, "ERROR", f"Unsuccessful command execution on instance id(s) '{','.join(env.instances)}'."
                   " Aborting the operation.")
                ev(when, "ERROR", "Failed to deploy application.")
                env.version_label = env.previous_label
                env.status, env.abortable, env.updated, env.update_request = "Ready", False, when, None
                env.set_health("Red", "Severe", [f"Incorrect application version found on all instances. "
                                                 f"Expected version \"{env.previous_label}\"."] +
                               [f"Command failed on all instances."])
                ev(when, "WARN", "Environment health has transitioned from Info to Severe. Command failed on "
                   "all instances. Incorrect application version found on all instances.")

            def recovered(when):
                env.set_health("Green", "Ok")
                ev(when, "INFO", "Environment health has transitioned from Severe to Ok.")

            self.at(t + d, env, failed)
            self.at(t + 2 * d, env, recovered)
        else:
            def deployed(when):
                ev(when, "INFO", "New application version was deployed to running EC2 instances.")
                env.status, env.abortable, env.updated, env.update_request = "Ready", False, when, None
                ev(when, "INFO", "Environment update completed successfully.")
                if ending == "unhealthy":
                    env.set_health("Red", "Severe", CAUSES_UNHEALTHY)
                    ev(when, "WARN", "Environment health has transitioned from Info to Severe. "
                       + " ".join(CAUSES_UNHEALTHY))
                else:
                    env.set_health("Green", "Ok")

            self.at(t + d, env, deployed)
        return env

    def abort_update(self, p, t):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if env.status != "Updating" or not env.abortable:
            raise InvalidParameterValue(
                f"Environment named {env.name} is in an invalid state for this operation. Must be Updating.")
        rid = env.update_request
        self.cancel(env)
        env.abortable = False
        self.event(t, "INFO", "Abort of environment update is starting.", env, request_id=rid)

        def aborted(when):
            env.version_label = env.previous_label
            env.status, env.updated, env.update_request = "Ready", when, None
            env.set_health("Green", "Ok")
            self.event(when, "WARN", "Environment update was aborted; the previous version is running.", env,
                       request_id=rid)

        self.at(t + self.deploy_seconds * 0.5, env, aborted)

    def terminate_environment(self, rid, p, t):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if env.status not in ("Ready", "Launching", "Updating"):
            raise InvalidParameterValue(
                f"Environment named {env.name} is in an invalid state for this operation. Must be Ready.")
        self.cancel(env)
        env.status, env.abortable, env.updated, env.update_request = "Terminating", False, t, rid
        env.set_health("Grey", "Suspended")
        self.event(t, "INFO", "terminateEnvironment is starting.", env, request_id=rid)

        def gone(when):
            env.status, env.updated, env.update_request = "Terminated", when, None
            data.terminate(env, self.region)
            self.event(when, "INFO", "terminateEnvironment completed successfully.", env, request_id=rid)

        self.at(t + self.deploy_seconds, env, gone)
        return env

    def env_operation(self, rid, p, t, action, done_after=0.5, rebuild=False):
        """RestartAppServer, RebuildEnvironment: Ready -> Updating -> Ready, with EB's events."""
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if env.status != "Ready":
            raise InvalidParameterValue(
                f"Environment named {env.name} is in an invalid state for this operation. Must be Ready.")
        self.cancel(env)
        env.status, env.updated, env.update_request = "Updating", t, rid
        self.event(t, "INFO", f"{action} is starting.", env, request_id=rid)

        def done(when):
            if rebuild:
                env.instances = ["i-0" + _rand(16, "0123456789abcdef") for _ in env.instances]
            env.status, env.updated, env.update_request = "Ready", when, None
            self.event(when, "INFO", f"{action} completed successfully.", env, request_id=rid)

        self.at(t + self.deploy_seconds * done_after, env, done)

    def swap_cnames(self, rid, p, t):
        a = self.env(p.get("SourceEnvironmentName"), p.get("SourceEnvironmentId"))
        b = self.env(p.get("DestinationEnvironmentName"), p.get("DestinationEnvironmentId"))
        if a is b:
            raise InvalidParameterValue("The source and destination environments must be different.")
        for e in (a, b):
            if e.status != "Ready":
                raise InvalidParameterValue(
                    f"Environment named {e.name} is in an invalid state for this operation. Must be Ready.")
        for e in (a, b):
            e.status, e.updated, e.update_request = "Updating", t, rid
            self.event(t, "INFO", "swapEnvironmentCNAMEs is starting.", e, request_id=rid)

        def swapped(when):
            a.cname, b.cname = b.cname, a.cname
            for e in (a, b):
                e.status, e.updated, e.update_request = "Ready", when, None
                self.event(when, "INFO", f"Completed swapping CNAMEs for environments '{a.name}' and "
                           f"'{b.name}'.", e, request_id=rid)

        self.at(t + self.deploy_seconds * 0.5, a, swapped)

    def resources(self, p):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        return {"EnvironmentResources": {
            "EnvironmentName": env.name,
            "AutoScalingGroups": [{"Name": f"awseb-{env.id}-stack-AWSEBAutoScalingGroup"}],
            "Instances": [{"Id": i} for i in env.instances],
            "LaunchConfigurations": [], "LaunchTemplates": [],
            "LoadBalancers": [{"Name": f"awseb-{env.id[2:8]}-AWSEBLoa"}], "Triggers": [], "Queues": []}}

    def lifecycle(self, p):
        app = self.app(p.get("ApplicationName"))
        cfg = p.get("ResourceLifecycleConfig") or {}
        vcfg = cfg.get("VersionLifecycleConfig") or {}
        for rule in ("MaxCountRule", "MaxAgeRule"):
            r = vcfg.get(rule)
            if r is not None and str(r.get("Enabled", "")).lower() not in ("true", "false"):
                raise InvalidParameterValue(f"{rule}.Enabled must be true or false.")
        app.lifecycle = cfg
        return {"ApplicationName": app.name, "ResourceLifecycleConfig": cfg}

    # ---- logs ----------------------------------------------------------------
    def request_info(self, rid, p, t):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        kind = p.get("InfoType")
        if kind not in ("tail", "bundle"):
            raise InvalidParameterValue(f"Value {kind} at 'infoType' failed to satisfy constraint: "
                                        "Member must satisfy enum value set: [tail, bundle]")
        if env.status not in ("Ready", "Updating"):
            raise InvalidParameterValue(
                f"Environment named {env.name} is in an invalid state for this operation. Must be Ready.")
        self.event(t, "INFO", "requestEnvironmentInfo is starting.", env, request_id=rid)

        def pulled(when):
            bucket = self.storage_bucket()
            ms = int(when * 1000)
            for i in env.instances:
                text = self.instance_log(env, i, when)
                if kind == "tail":
                    key = f"resources/environments/logs/tail/{env.id}/{i}/TailLogs-{ms}.out"
                    body = text.encode()
                else:
                    key = f"resources/environments/logs/bundle/{env.id}/{i}/BundleLogs-{ms}.zip"
                    buf = io.BytesIO()
                    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                        z.writestr("var/log/eb-engine.log", text)
                        z.writestr("var/log/eb-ecs-mgr.log", f"{_stamp(when):%Y-%m-%dT%H:%M:%SZ} "
                                   f"instance {i} running version {env.version_label}\n")
                    body = buf.getvalue()
                s3_backend().put_object(bucket, key, body)
                env.info.append({"InfoType": kind, "Ec2InstanceId": i, "t": when, "bucket": bucket, "key": key})
                self.event(when, "INFO", f"[Instance: {i}] Completed RequestEnvironmentInfo activity.", env,
                           request_id=rid)
            self.event(when, "INFO", "requestEnvironmentInfo completed successfully.", env, request_id=rid)

        self.at(t + min(self.deploy_seconds * 0.5, 5.0), None, pulled)

    def instance_log(self, env, instance, t):
        lines = [f"----------------------------------------", "/var/log/eb-engine.log",
                 "----------------------------------------"]
        for e in sorted(self.events, key=lambda e: (e["_t"], e["_seq"])):
            if e.get("_env_id") == env.id and e["_t"] <= t:
                lines.append(f"{_stamp(e['_t']):%Y/%m/%d %H:%M:%S.%f} [{e['Severity']}] {e['Message']}")
        lines.append(f"{_stamp(t):%Y/%m/%d %H:%M:%S.%f} [INFO] instance {instance} "
                     f"running version {env.version_label}")
        return "\n".join(lines) + "\n"

    def retrieve_info(self, p):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        kind = p.get("InfoType")
        if kind not in ("tail", "bundle"):
            raise InvalidParameterValue(f"Value {kind} at 'infoType' failed to satisfy constraint: "
                                        "Member must satisfy enum value set: [tail, bundle]")
        latest = {}
        for info in env.info:
            if info["InfoType"] == kind:
                latest[info["Ec2InstanceId"]] = info
        return [{"InfoType": kind, "Ec2InstanceId": i["Ec2InstanceId"], "SampleTimestamp": _stamp(i["t"]),
                 "Message": self.presign(i["bucket"], i["key"])} for i in latest.values()]

    # ---- events ----------------------------------------------------------------
    def describe_events(self, p):
        sev = p.get("Severity")
        if sev is not None and sev not in SEVERITIES:
            raise InvalidParameterValue(f"Value {sev} at 'severity' failed to satisfy constraint: Member must "
                                        "satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]")
        limit = p.get("MaxRecords")
        if limit is not None and not 1 <= int(limit) <= 1000:
            raise InvalidParameterValue(f"Value {limit} at 'maxRecords' failed to satisfy constraint: Member "
                                        "must have value between 1 and 1000")
        limit = int(limit) if limit is not None else 1000
        start = _epoch(p["StartTime"]) if p.get("StartTime") is not None else None
        end = _epoch(p["EndTime"]) if p.get("EndTime") is not None else None
        after = None
        token = p.get("NextToken")
        if token:
            m = re.fullmatch(r"([0-9.]+)_([0-9]+)", token)
            if not m:
                raise InvalidParameterValue("Invalid NextToken.")
            after = (float(m.group(1)), int(m.group(2)))
        filters = [("ApplicationName", "ApplicationName"), ("EnvironmentName", "EnvironmentName"),
                   ("VersionLabel", "VersionLabel"), ("RequestId", "RequestId"), ("EnvironmentId", "_env_id"),
                   ("TemplateName", "TemplateName"), ("PlatformArn", "PlatformArn")]
        min_sev = SEVERITIES.index(sev) if sev else 0
        out = []
        for e in sorted(self.events, key=lambda e: (e["_t"], e["_seq"]), reverse=True):
            if after is not None and (e["_t"], e["_seq"]) >= after:
                continue
            if any(p.get(param) and e.get(field) != p.get(param) for param, field in filters):
                continue
            if SEVERITIES.index(e["Severity"]) < min_sev:
                continue
            if start is not None and e["_t"] < start:
                continue
            if end is not None and e["_t"] >= end:
                continue
            out.append(e)
            if len(out) > limit:
                break
        result = {"Events": [{k: v for k, v in e.items() if not k.startswith("_")} for e in out[:limit]]}
        if len(out) > limit:
            last = out[limit - 1]
            result["NextToken"] = f"{last['_t']!r}_{last['_seq']}"
        return result

    # ---- health and configuration --------------------------------------------
    def health(self, p, t):
        env = self.env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        counts = {k: 0 for k in ("NoData", "Unknown", "Pending", "Ok", "Info", "Warning", "Degraded", "Severe")}
        key = env.health_status if env.health_status in counts else "Unknown"
        counts[key] = len(env.instances)
        return {"EnvironmentName": env.name, "HealthStatus": env.health_status, "Status": env.status,
                "Color": env.health, "Causes": env.causes, "InstancesHealth": counts,
                "ApplicationMetrics": {"RequestCount": 0}, "RefreshedAt": _stamp(t)}

    def configuration(self, p):
        env = self.env(p.get("EnvironmentName"), None, p.get("ApplicationName"))
        return {"ConfigurationSettings": [{
            "SolutionStackName": env.stack, "ApplicationName": env.app, "EnvironmentName": env.name,
            "DeploymentStatus": "deployed", "DateCreated": _stamp(env.created), "DateUpdated": _stamp(env.updated),
            "OptionSettings": [{"Namespace": ns, "OptionName": name, "Value": value}
                               for (ns, name), value in sorted(env.options.items())]}]}

    def snapshot(self):
        with self.lock:
            self.advance()
            return {
                "deploy_seconds": self.deploy_seconds,
                "applications": {a.name: {"versions": {v.label: {"status": v.status, "bucket": v.bucket,
                                                                  "key": v.key} for v in a.versions.values()}}
                                 for a in self.apps.values()},
                "environments": [{"name": e.name, "id": e.id, "application": e.app, "status": e.status,
                                  "version_label": e.version_label, "health": e.health,
                                  "health_status": e.health_status,
                                  # when it last became Ready (epoch seconds): verdict latency is measured from here
                                  "ready_at": e.updated if e.status == "Ready" else None} for e in self.envs],
                "events": len(self.events),
            }


def instance_profile_exists(name):
    """Whether moto's IAM has the instance profile, with a role in it."""
    from moto.iam.models import iam_backends

    iam = iam_backends[DEFAULT_ACCOUNT_ID]["global"]
    return any(ip.name == name and ip.roles for ip in iam.instance_profiles.values())


def s3_backend():
    from moto.s3.models import s3_backends

    return s3_backends[DEFAULT_ACCOUNT_ID]["global"]


def sample_bundle():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Dockerrun.aws.json", json.dumps({
            "AWSEBDockerrunVersion": 2,
            "containerDefinitions": [{"name": "web", "image": "nginx:latest", "essential": True,
                                      "memory": 128}]}))
    return buf.getvalue()


SIM = None


class SandboxEB:
    """Methods added to moto's EBResponse (one instance per request)."""

    def _sandbox_request_id(self):
        if not hasattr(self, "_sb_rid"):
            self._sb_rid = str(uuid.uuid4())
        return self._sb_rid

    def _enrich_response(self, headers, body):
        # moto draws a random request id after the action ran; the sandbox needs
        # the id before (events of an update carry it), so it draws its own.
        if "status" in headers:
            headers["status"] = str(headers["status"])
        rid = self._sandbox_request_id()
        headers["x-amzn-RequestId"] = rid
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if isinstance(body, str):
            body = re.sub(r"(<ResponseMetadata>\s*<RequestId>|</Error>\s*<RequestId>)[^<]*", r"\g<1>" + rid, body)
            body = body.replace('xmlns="http://elasticbeanstalk.amazonaws.com/', 'xmlns="https://elasticbeanstalk'
                                '.amazonaws.com/', 1)
        return headers, body

    def _sb(self, fn):
        with SIM.lock:
            t = _now()
            SIM.advance(t)
            return fn(t)

    def _p(self):
        return self.params if isinstance(self.params, dict) else {}

    def create_application(self):
        p = self._p()
        return self._sb(lambda t: ActionResult({"Application": SIM.create_application(
            p.get("ApplicationName"), p.get("Description"), t).describe(SIM)}))

    def describe_applications(self):
        names = self._p().get("ApplicationNames") or []
        return self._sb(lambda t: ActionResult({"Applications": [
            a.describe(SIM) for a in SIM.apps.values() if not names or a.name in names]}))

    def delete_application(self):
        name = self._p().get("ApplicationName")

        def run(t):
            SIM.app(name)
            live = [e for e in SIM.envs if e.app == name and e.status != "Terminated"]
            if live and not self._p().get("TerminateEnvByForce"):
                raise InvalidParameterValue(f"Unable to delete application {name} because it has running "
                                            "environments.")
            for e in live:
                SIM.cancel(e)
                e.status = "Terminated"
            del SIM.apps[name]
            return EmptyResult()

        return self._sb(run)

    def create_storage_location(self):
        return self._sb(lambda t: ActionResult({"S3Bucket": SIM.storage_bucket()}))

    def create_application_version(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: ActionResult({"ApplicationVersion": SIM.create_version(
            rid, p.get("ApplicationName"), p.get("VersionLabel"), p.get("Description"), p.get("SourceBundle"),
            bool(p.get("Process")), bool(p.get("AutoCreateApplication")), t).describe(SIM)}))

    def describe_application_versions(self):
        p = self._p()

        def run(t):
            versions = []
            for a in SIM.apps.values():
                if p.get("ApplicationName") and a.name != p.get("ApplicationName"):
                    continue
                versions += [v for v in a.versions.values()
                             if not p.get("VersionLabels") or v.label in p.get("VersionLabels")]
            versions.sort(key=lambda v: v.created, reverse=True)
            start = int(p.get("NextToken") or 0) if str(p.get("NextToken") or "0").isdigit() else 0
            limit = int(p.get("MaxRecords") or 1000)
            page = versions[start:start + limit]
            result = {"ApplicationVersions": [v.describe(SIM) for v in page]}
            if start + limit < len(versions):
                result["NextToken"] = str(start + limit)
            return ActionResult(result)

        return self._sb(run)

    def delete_application_version(self):
        p = self._p()

        def run(t):
            SIM.delete_version(p.get("ApplicationName"), p.get("VersionLabel"), bool(p.get("DeleteSourceBundle")))
            return EmptyResult()

        return self._sb(run)

    def create_environment(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: ActionResult(SIM.create_environment(rid, p, t).describe(SIM)))

    def describe_environments(self):
        p = self._p()

        def run(t):
            out = []
            for e in SIM.envs:
                if e.status == "Terminated" and not p.get("IncludeDeleted"):
                    continue
                if p.get("ApplicationName") and e.app != p.get("ApplicationName"):
                    continue
                if p.get("VersionLabel") and e.version_label != p.get("VersionLabel"):
                    continue
                if p.get("EnvironmentNames") and e.name not in p.get("EnvironmentNames"):
                    continue
                if p.get("EnvironmentIds") and e.id not in p.get("EnvironmentIds"):
                    continue
                out.append(e.describe(SIM))
            return ActionResult({"Environments": out})

        return self._sb(run)

    def update_environment(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: ActionResult(SIM.update_environment(rid, p, t).describe(SIM)))

    def terminate_environment(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: ActionResult(SIM.terminate_environment(rid, p, t).describe(SIM)))

    def restart_app_server(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: (SIM.env_operation(rid, p, t, "restartAppServer"), EmptyResult())[1])

    def rebuild_environment(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: (SIM.env_operation(rid, p, t, "rebuildEnvironment", 1.0, True),
                                   EmptyResult())[1])

    def swap_environment_cnames(self):
        p = self._p()
        rid = self._sandbox_request_id()
        return self._sb(lambda t: (SIM.swap_cnames(rid, p, t), EmptyResult())[1])

    # moto's name for the action (camelcase_to_underscores splits "CNAMEs" so)
    swap_environment_cnam_es = swap_environment_cnames

    def describe_environment_resources(self):
        p = self._p()
        return self._sb(lambda t: ActionResult(SIM.resources(p)))

    def update_application_resource_lifecycle(self):
        p = self._p()
        return self._sb(lambda t: ActionResult(SIM.lifecycle(p)))

    def abort_environment_update(self):
        p = self._p()

        def run(t):
            SIM.abort_update(p, t)
            return EmptyResult()

        return self._sb(run)

    def describe_events(self):
        p = self._p()
        return self._sb(lambda t: ActionResult(SIM.describe_events(p)))

    def describe_environment_health(self):
        p = self._p()
        return self._sb(lambda t: ActionResult(SIM.health(p, t)))

    def request_environment_info(self):
        p = self._p()
        rid = self._sandbox_request_id()

        def run(t):
            SIM.request_info(rid, p, t)
            return EmptyResult()

        return self._sb(run)

    def retrieve_environment_info(self):
        p = self._p()
        return self._sb(lambda t: ActionResult({"EnvironmentInfo": SIM.retrieve_info(p)}))

    def describe_configuration_settings(self):
        p = self._p()
        return self._sb(lambda t: ActionResult(SIM.configuration(p)))

    def list_platform_versions(self):
        p = self._p()
        return self._sb(lambda t: ActionResult({"PlatformSummaryList": SIM.platforms(p)}))

    def describe_platform_version(self):
        arn = self._p().get("PlatformArn")
        row = find_platform(arn=arn)
        if not row:
            raise InvalidParameterValue(f"No Platform named '{arn}' found.")
        branch, version, branch_state, os_version, state = row
        d = {"PlatformArn": arn, "PlatformOwner": "AWSElasticBeanstalk", "PlatformName": branch,
             "PlatformVersion": version, "SolutionStackName": solution_stack(branch, version),
             "PlatformStatus": "Ready", "PlatformCategory": branch.split(" ")[0],
             "OperatingSystemName": "Amazon Linux", "OperatingSystemVersion": os_version,
             "SupportedTierList": ["WebServer/Standard", "Worker/SQS/HTTP"], "SupportedAddonList": [],
             "PlatformBranchName": branch, "PlatformBranchLifecycleState": branch_state}
        if state:
            d["PlatformLifecycleState"] = state
        return self._sb(lambda t: ActionResult({"PlatformDescription": d}))

    def check_dns_availability(self):
        prefix = self._p().get("CNAMEPrefix")
        if not prefix:
            raise MissingParameter("The request must contain the parameter CNAMEPrefix.")
        return self._sb(lambda t: ActionResult({
            "Available": SIM.dns_available(prefix),
            "FullyQualifiedCNAME": f"{prefix}.{SIM.region}.elasticbeanstalk.com"}))

    def list_tags_for_resource(self):
        arn = self._p().get("ResourceArn")

        def run(t):
            r = SIM.resource(arn)
            tags = getattr(r, "tags", {})
            return ActionResult({"ResourceArn": arn,
                                 "ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})

        return self._sb(run)

    def update_tags_for_resource(self):
        p = self._p()

        def run(t):
            r = SIM.resource(p.get("ResourceArn"))
            if not hasattr(r, "tags"):
                r.tags = {}
            for k in p.get("TagsToRemove") or []:
                r.tags.pop(k, None)
            for tag in p.get("TagsToAdd") or []:
                r.tags[tag["Key"]] = tag.get("Value", "")
            if len(r.tags) > 50:
                raise InvalidParameterValue("Too many tags: a resource can have at most 50.")
            return EmptyResult()

        return self._sb(run)


def install(deploy_seconds, endpoint):
    """Create the simulation and add the actions to moto's EBResponse."""
    global SIM
    SIM = Simulation(deploy_seconds, endpoint)
    data.patch_backends()
    for name, fn in vars(SandboxEB).items():
        if callable(fn) and not name.startswith("__"):
            setattr(EBResponse, name, fn)
    return SIM
