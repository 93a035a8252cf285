# ebctl doctor --connect against a real Postgres and Redis on loopback
# ports (the sandbox's endpoints point at them), a closed port, and a port
# where something else (an HTTP server) answers.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"
. "$TESTS_DIR/integration/data_setup.bash"

if ! postgres_start; then not_ok "a local Postgres (initdb, postgres: Debian's postgresql)"; finish; fi
if ! redis_start; then not_ok "a local redis-server (Debian's redis-server)"; finish; fi
ok "Postgres on $PG_PORT, Redis on $REDIS_PORT_LOCAL"
sandbox_start --deploy-seconds 0.2 || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if data_setup capp cenv 127.0.0.1 "$PG_PORT" 127.0.0.1 "$REDIS_PORT_LOCAL"; then ok "data setup"; else not_ok "data setup"; finish; fi
# the local servers listen on free ports, outside the course's 5432-6379
awsx ec2 authorize-security-group-ingress --group-id "$DATA_SG" --ip-permissions \
	"IpProtocol=tcp,FromPort=1024,ToPort=65535,UserIdGroupPairs=[{GroupId=$DATA_SG}]" >/dev/null
expect_rc 0 "link to the local servers" "$EBCTL" link --env cenv --rds appdb --redis appcache \
	--secret-arn arn:aws:ssm:us-east-1:123456789012:parameter/app/db-password --timeout 60s

expect_rc 0 "doctor --connect against the real Postgres and Redis" "$EBCTL" doctor --env cenv --connect
expect_out "ok      connect.postgres       127.0.0.1:$PG_PORT: Postgres answers" "Postgres answers its SSLRequest"
expect_out "ok      connect.redis          127.0.0.1:$REDIS_PORT_LOCAL: Redis answers" "Redis answers PING"
expect_err "from this machine, not from the environment's instances" "it says which path it tested"
expect_rc 0 "doctor --connect --format json" "$EBCTL" doctor --env cenv --connect --format json
expect_eq "$(json_get connect_from <"$TMP/out")" "this machine" "JSON says where it connected from"

# a Redis that wants a password: reachable, and it says so
REDIS_OPEN_PORT=$REDIS_PORT_LOCAL
if redis_start not-a-real-secret; then
	awsx elasticache create-cache-cluster --cache-cluster-id authcache --engine redis --cache-node-type cache.t3.micro \
		--num-cache-nodes 1 --port "$REDIS_PORT_LOCAL" --security-group-ids "$DATA_SG" --cache-subnet-group-name app-cache \
		--tags Key=sandbox:address,Value=127.0.0.1 >/dev/null
	"$EBCTL" setenv --env cenv --timeout 60s REDIS_PORT="$REDIS_PORT_LOCAL" >/dev/null 2>&1
	expect_rc 0 "doctor --connect against a Redis with a password" "$EBCTL" doctor --env cenv --connect
	expect_out "127.0.0.1:$REDIS_PORT_LOCAL: Redis answers and needs authentication" "an auth error means reachable"
	"$EBCTL" setenv --env cenv --timeout 60s REDIS_PORT="$REDIS_OPEN_PORT" >/dev/null 2>&1
else
	not_ok "a second redis-server with a password"
fi

# a closed port: nothing listens on 127.0.0.2
awsx rds create-db-instance --db-instance-identifier closeddb --engine postgres --db-instance-class db.t3.micro \
	--allocated-storage 20 --master-username app --master-user-password not-a-real-secret --port "$PG_PORT" \
	--vpc-security-group-ids "$DATA_SG" --db-subnet-group-name app-db --tags Key=sandbox:address,Value=127.0.0.2 >/dev/null
"$EBCTL" setenv --env cenv --timeout 60s PGHOST=127.0.0.2 >/dev/null 2>&1
expect_rc 1 "doctor --connect against a closed port" "$EBCTL" doctor --env cenv --connect --connect-timeout 2s
expect_out "error   connect.postgres       127.0.0.2:$PG_PORT: cannot connect: Connection refused" "a closed port is said plainly"

# something else answering: an HTTP server
# http_start: an HTTP server on 127.0.0.3, its port in HTTP_PORT (started in
# this shell, not a subshell, so that it is stopped when the test exits)
http_start() {
	local pid i
	HTTP_PORT=$(_free_port)
	"$PYTHON" -m http.server "$HTTP_PORT" --bind 127.0.0.3 >"$TMP/http-$HTTP_PORT.log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for i in $(seq 1 50); do "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.3', $HTTP_PORT), 1)" 2>/dev/null && break; sleep 0.1; done
}
http_start; HTTP_PORT2=$HTTP_PORT
http_start
awsx rds create-db-instance --db-instance-identifier httpdb --engine postgres --db-instance-class db.t3.micro \
	--allocated-storage 20 --master-username app --master-user-password not-a-real-secret --port "$HTTP_PORT" \
	--vpc-security-group-ids "$DATA_SG" --db-subnet-group-name app-db --tags Key=sandbox:address,Value=127.0.0.3 >/dev/null
awsx elasticache create-cache-cluster --cache-cluster-id httpcache --engine redis --cache-node-type cache.t3.micro \
	--num-cache-nodes 1 --port "$HTTP_PORT2" --security-group-ids "$DATA_SG" --cache-subnet-group-name app-cache \
	--tags Key=sandbox:address,Value=127.0.0.3 >/dev/null
"$EBCTL" setenv --env cenv --timeout 60s PGHOST=127.0.0.3 PGPORT="$HTTP_PORT" REDIS_HOST=127.0.0.3 REDIS_PORT="$HTTP_PORT2" >/dev/null 2>&1
expect_rc 1 "doctor --connect against an HTTP server" "$EBCTL" doctor --env cenv --connect --connect-timeout 1s
expect_out "not Postgres" "an HTTP server is not Postgres"
expect_out "not Redis" "an HTTP server is not Redis"
finish
