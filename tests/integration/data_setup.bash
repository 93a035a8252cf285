# The course's data setup in the sandbox (sourced after lib.sh,
# operate_env.bash and sandbox_start): a VPC with a subnet, the
# self-referencing security group that allows 5432-6379 from its own
# members, a Postgres RDS instance and a Redis ElastiCache cluster in that
# group, and an environment running with the group.
#
#   data_setup APP ENV [PGHOST [PGPORT [REDISHOST [REDISPORT]]]]
#
# The optional hosts and ports are where the sandbox's endpoints point
# (the sandbox:address tag): a local Postgres and Redis for --connect.
# Sets VPC_ID, SUBNET_ID, DATA_SG, DB_ID=appdb, CACHE_ID=appcache.
data_setup() {
	local app=$1 env=$2 pghost=${3:-} pgport=${4:-5432} rhost=${5:-} rport=${6:-6379} tags
	DB_ID=appdb CACHE_ID=appcache
	VPC_ID=$(awsx ec2 create-vpc --cidr-block 10.20.0.0/16 --query Vpc.VpcId --output text) || return 1
	SUBNET_ID=$(awsx ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.20.1.0/24 \
		--query Subnet.SubnetId --output text) || return 1
	DATA_SG=$(awsx ec2 create-security-group --group-name app-data --description "app data services" \
		--vpc-id "$VPC_ID" --query GroupId --output text) || return 1
	awsx ec2 authorize-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
		"IpProtocol=tcp,FromPort=5432,ToPort=6379,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null || return 1
	awsx rds create-db-subnet-group --db-subnet-group-name app-db --db-subnet-group-description app \
		--subnet-ids "$SUBNET_ID" >/dev/null || return 1
	tags=()
	[ -n "$pghost" ] && tags=(--tags "Key=sandbox:address,Value=$pghost")
	awsx rds create-db-instance --db-instance-identifier "$DB_ID" --engine postgres \
		--db-instance-class db.t3.micro --allocated-storage 20 --master-username app \
		--master-user-password not-a-real-secret --db-name app --port "$pgport" \
		--vpc-security-group-ids "$DATA_SG" --db-subnet-group-name app-db "${tags[@]}" >/dev/null || return 1
	awsx elasticache create-cache-subnet-group --cache-subnet-group-name app-cache \
		--cache-subnet-group-description app --subnet-ids "$SUBNET_ID" >/dev/null || return 1
	tags=()
	[ -n "$rhost" ] && tags=(--tags "Key=sandbox:address,Value=$rhost")
	awsx elasticache create-cache-cluster --cache-cluster-id "$CACHE_ID" --engine redis \
		--cache-node-type cache.t3.micro --num-cache-nodes 1 --port "$rport" \
		--security-group-ids "$DATA_SG" --cache-subnet-group-name app-cache "${tags[@]}" >/dev/null || return 1
	data_env "$app" "$env" "$VPC_ID" "$SUBNET_ID" app-data
}

# data_env APP ENV VPC SUBNET GROUPS: an application with a version and an
# environment in VPC/SUBNET whose instances carry GROUPS, Ready.
data_env() {
	local app=$1 env=$2 vpc=$3 subnet=$4 groups=$5 bucket=data-bundles
	mkdir -p "$TMP/bundle"
	[ -f "$TMP/bundle/Dockerrun.aws.json" ] || cat >"$TMP/bundle/Dockerrun.aws.json" <<'JSON'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
 {"name": "server", "image": "example/server", "essential": true, "memory": 256,
  "environment": [{"name": "NODE_ENV", "value": "production"}, {"name": "PGHOST", "value": ""},
                  {"name": "REDIS_HOST", "value": ""}]},
 {"name": "worker", "image": "example/worker", "essential": false, "memory": 128}]}
JSON
	rm -f "$TMP/bundle.zip"
	(cd "$TMP/bundle" && zip -q -X "$TMP/bundle.zip" Dockerrun.aws.json)
	awsx s3 mb "s3://$bucket" >/dev/null 2>&1
	awsx s3 cp "$TMP/bundle.zip" "s3://$bucket/$app/v1.zip" >/dev/null &&
		awsx elasticbeanstalk create-application --application-name "$app" >/dev/null &&
		awsx elasticbeanstalk create-application-version --application-name "$app" --version-label v1 \
			--source-bundle "S3Bucket=$bucket,S3Key=$app/v1.zip" >/dev/null &&
		awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
			--version-label v1 --solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" \
			--option-settings "Namespace=aws:ec2:vpc,OptionName=VPCId,Value=$vpc" \
			"Namespace=aws:ec2:vpc,OptionName=Subnets,Value=$subnet" \
			"Namespace=aws:autoscaling:launchconfiguration,OptionName=SecurityGroups,Value=$groups" \
			>/dev/null &&
		wait_ready "$env"
}

# postgres_start: a throwaway Postgres (initdb + postgres from PATH, or
# Debian's /usr/lib/postgresql/*/bin) on a free loopback port; PG_PORT.
# redis_start [PASSWORD]: the same for redis-server (requiring PASSWORD when
# given); REDIS_PORT_LOCAL.
# Both stop when the test exits. Return 1 when the server is not installed.
_free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
postgres_start() {
	local bin i pid
	bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
	[ -x "$bin/initdb" ] && [ -x "$bin/postgres" ] || return 1
	PG_PORT=$(_free_port)
	# Postgres refuses to run as root: then it runs as an unprivileged user
	# in a directory of its own outside $TMP (which is private)
	local as=() dir="$TMP/pg" sock="$TMP"
	if [ "$(id -u)" -eq 0 ]; then
		local user=postgres
		id "$user" >/dev/null 2>&1 || user=nobody
		sock=$(mktemp -d /tmp/ebctl-pg.XXXXXX) dir=$sock/data
		chown "$user" "$sock"
		at_exit "rm -rf '$sock'"
		as=(runuser -u "$user" --)
	fi
	"${as[@]}" "$bin/initdb" -D "$dir" -A trust -U postgres >"$TMP/initdb.log" 2>&1 || { sed 's/^/#   /' "$TMP/initdb.log"; return 1; }
	"${as[@]}" "$bin/postgres" -D "$dir" -p "$PG_PORT" -k "$sock" -c listen_addresses=127.0.0.1 >"$TMP/pg.log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for i in $(seq 1 200); do
		grep -q "ready to accept connections" "$TMP/pg.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$TMP/pg.log"
	return 1
}
redis_start() {
	local i pid
	command -v redis-server >/dev/null || return 1
	REDIS_PORT_LOCAL=$(_free_port)
	redis-server --port "$REDIS_PORT_LOCAL" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$TMP" ${1:+--requirepass "$1"} >"$TMP/redis-$REDIS_PORT_LOCAL.log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for i in $(seq 1 100); do
		grep -q "Ready to accept connections" "$TMP/redis-$REDIS_PORT_LOCAL.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$TMP/redis-$REDIS_PORT_LOCAL.log"
	return 1
}
