# ebctl doctor against the sandbox: the course's setup is clean, and each
# fault alone is caught with its check id.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"
. "$TESTS_DIR/integration/data_setup.bash"

sandbox_start --deploy-seconds 0.2 || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if data_setup dapp denv; then ok "VPC, self-referencing group, RDS, ElastiCache and environment"; else not_ok "data setup"; finish; fi
ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db-AbCdEf
expect_rc 0 "link sets the properties" "$EBCTL" link --env denv --rds appdb --redis appcache \
	--secret-arn "$ARN" --timeout 60s

# doctor_has ID LEVEL DESC: the last JSON run has a check ID at LEVEL.
doctor_has() {
	local got
	got=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(sorted({c["level"] for c in d["checks"] if c["id"]==sys.argv[2]})))' "$TMP/out" "$1")
	expect_eq "$got" "$2" "$3"
}
setp() { "$EBCTL" setenv --env denv --timeout 60s "$@" >/dev/null 2>&1 || not_ok "setenv $*"; }

expect_rc 0 "doctor on the course's setup is clean" "$EBCTL" doctor --env denv
expect_out "ok      net.ingress" "the network check is listed"
expect_out "is on both sides and allows its own members" "the self-referencing group is recognised"
expect_out "appdb.aaaaaaaaaa.us-east-1.rds.amazonaws.com is the RDS instance appdb (postgres)" "PGHOST is matched to the instance"
expect_out "is the ElastiCache cluster appcache (redis)" "REDIS_HOST is matched to the cache"
expect_rc 0 "doctor --format json" "$EBCTL" doctor --env denv --format json
expect_eq "$(json_get ok <"$TMP/out")" True "JSON says ok"
doctor_has env.ready ok "env.ready is ok"
doctor_has env.health ok "env.health is ok"
doctor_has endpoint.match ok "endpoint.match is ok"
doctor_has endpoint.port ok "endpoint.port is ok"
doctor_has net.ingress ok "net.ingress is ok"
doctor_has secret.reference ok "the password is a reference"

doctor_has dockerrun.valid ok "the deployed Dockerrun validates"

# a property the Dockerrun expects, unset
setp REDIS_HOST=
expect_rc 0 "doctor: a property the Dockerrun expects is unset (a warning)" "$EBCTL" doctor --env denv --format json
doctor_has dockerrun.env-missing warning "dockerrun.env-missing names it"
expect_out "expects 'REDIS_HOST'" "the missing property is named"
setp "REDIS_HOST=$(awsx elasticache describe-cache-clusters --show-cache-node-info --query 'CacheClusters[0].CacheNodes[0].Endpoint.Address' --output text)"

# a typo in the host
setp PGHOST=appdb.aaaaaaaaab.us-east-1.rds.amazonaws.com
expect_rc 1 "doctor: a typo in PGHOST" "$EBCTL" doctor --env denv --format json
doctor_has endpoint.unknown error "a typo is endpoint.unknown"
expect_out "the nearest is 'appdb.aaaaaaaaaa.us-east-1.rds.amazonaws.com'" "the nearest real endpoint is named"
setp PGHOST=db.example.org
expect_rc 1 "doctor: a host that matches nothing" "$EBCTL" doctor --env denv --format json
doctor_has endpoint.unknown error "an unknown host is endpoint.unknown"
setp PGHOST=appdb.aaaaaaaaaa.us-east-1.rds.amazonaws.com

# a wrong port
setp PGPORT=5433
expect_rc 1 "doctor: a wrong PGPORT" "$EBCTL" doctor --env denv
expect_out "error   endpoint.port          PGPORT: port 5433 does not match: RDS instance appdb listens on 5432" "endpoint.port names both ports"
expect_out "fix: ebctl setenv --env denv PGPORT=5432" "the fix is the setenv to run"
setp PGPORT=5432

# a plain-text password: a warning, not an error; the value never shows
setp DB_PASSWORD=hunter2-not-shown
expect_rc 0 "doctor: a plain-text password is only a warning" "$EBCTL" doctor --env denv --format json
doctor_has secret.plaintext warning "secret.plaintext is a warning"
expect_out "aws:elasticbeanstalk:application:environmentsecrets" "the fix names the secrets namespace"
expect_not_out "hunter2-not-shown" "the secret's value is not printed"
expect_not_err "hunter2-not-shown" "nor on stderr"
expect_rc 0 "doctor --debug with a plain-text password" "$EBCTL" --debug doctor --env denv
expect_not_err "hunter2-not-shown" "--debug does not print the secret either"
expect_not_out "hunter2-not-shown" "nor does its stdout"
setp DB_PASSWORD=

# the inbound rule missing, then on the wrong port
awsx ec2 revoke-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=5432,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
expect_rc 1 "doctor: no inbound rule" "$EBCTL" doctor --env denv --format json
doctor_has net.ingress error "a missing rule is net.ingress"
expect_out "aws ec2 authorize-security-group-ingress --group-id $DATA_SG --protocol tcp --port 5432 --source-group $DATA_SG" "the fix is the exact aws CLI command"
awsx ec2 authorize-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=6379,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
expect_rc 1 "doctor: the rule on the wrong port" "$EBCTL" doctor --env denv
expect_out "on ports 6379-6379, not on 5432" "a rule on another port is named"
expect_out "ElastiCache cluster appcache: port 6379 is open" "the cache's port is still open"
awsx ec2 revoke-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=6379,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
awsx ec2 authorize-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=5432,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
expect_rc 0 "doctor: clean again with the rule back" "$EBCTL" doctor --env denv

# the group missing on the environment: its instances lose app-data
awsx elasticbeanstalk update-environment --environment-name denv --options-to-remove \
	Namespace=aws:autoscaling:launchconfiguration,OptionName=SecurityGroups >/dev/null && wait_ready denv
expect_rc 1 "doctor: the group missing on the environment" "$EBCTL" doctor --env denv --format json
doctor_has net.group-missing error "a missing group is net.group-missing"
expect_out "OptionName=SecurityGroups,Value=$DATA_SG" "the fix adds the group to the option"

# a different VPC: an environment in the default VPC
if data_env dapp2 denv2 "$(awsx ec2 describe-vpcs --filters Name=isDefault,Values=true --query 'Vpcs[0].VpcId' --output text)" "" ""; then
	expect_rc 0 "link the second environment" "$EBCTL" link --env denv2 --rds appdb --secret-arn "$ARN" --timeout 60s
	expect_rc 1 "doctor: a different VPC" "$EBCTL" doctor --env denv2 --format json
	doctor_has net.vpc error "a different VPC is net.vpc"
else
	not_ok "second environment"
fi
expect_rc 1 "doctor on an environment that does not exist" "$EBCTL" doctor --env nosuch-env
expect_err "not found" "the one not-found answer"
expect_rc 2 "doctor with an argument" "$EBCTL" doctor --env denv extra
finish
