# TLS: the sandbox behind a local nginx with a certificate from a test CA.
# ebctl refuses the certificate it cannot verify (exit 3, a message that
# says so), also when AWS_CA_BUNDLE names another CA, and deploys through
# the endpoint when AWS_CA_BUNDLE names the test CA.
. "$TESTS_DIR/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
	not_ok "nginx is not installed (ci/install-deps installs nginx-light)"
	finish
fi
sandbox_start || { not_ok "sandbox start"; finish; }
backend=$SANDBOX_URL

# ---- a test CA, a server certificate for 127.0.0.1 it signs, and a stranger CA
pki=$TMP/pki; mkdir -p "$pki"
mkca() { # name
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ebctl test $1" \
		-keyout "$pki/$1.key" -out "$pki/$1.pem" 2>>"$pki/log"
}
mkca ca && mkca stranger &&
	openssl req -new -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$pki/server.key" -out "$pki/server.csr" 2>>"$pki/log" &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$pki/ext" &&
	openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
		-days 2 -extfile "$pki/ext" -out "$pki/server.pem" 2>>"$pki/log"
if [ $? -eq 0 ] && openssl verify -CAfile "$pki/ca.pem" "$pki/server.pem" >/dev/null 2>&1; then
	ok "test CA and server certificate"
else
	not_ok "test CA and server certificate"; sed 's/^/#   /' "$pki/log"; finish
fi

# ---- nginx as the current user, everything under $TMP, on a free loopback port
ngx=$TMP/nginx; mkdir -p "$ngx/logs" "$ngx/tmp"
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$ngx/nginx.conf" <<CONF
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 64; }
http {
	access_log $ngx/logs/access.log;
	client_body_temp_path $ngx/tmp/body;
	proxy_temp_path $ngx/tmp/proxy;
	fastcgi_temp_path $ngx/tmp/fastcgi;
	uwsgi_temp_path $ngx/tmp/uwsgi;
	scgi_temp_path $ngx/tmp/scgi;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $pki/server.pem;
		ssl_certificate_key $pki/server.key;
		client_max_body_size 0;
		location / {
			proxy_pass $backend;
			# the signature covers the Host the client sent
			proxy_set_header Host \$http_host;
			proxy_http_version 1.1;
			proxy_request_buffering off;
			proxy_buffering off;
		}
	}
}
CONF
"$NGINX" -p "$ngx" -e "$ngx/logs/error.log" -c "$ngx/nginx.conf" -g 'daemon off;' >"$ngx/out" 2>&1 &
ngx_pid=$!
at_exit "kill $ngx_pid 2>/dev/null; wait $ngx_pid 2>/dev/null"
for i in $(seq 1 100); do
	"$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
	kill -0 "$ngx_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$ngx_pid" 2>/dev/null; then ok "nginx listens on 127.0.0.1:$port"
else not_ok "nginx did not start"; sed 's/^/#   /' "$ngx/out" "$ngx/logs/error.log"; finish; fi

# ---- an application to deploy to (created directly on the sandbox)
app=$TMP/app; mkdir -p "$app"
cat >"$app/Dockerrun.aws.json" <<'JSON'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true,
 "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}
JSON
awsx() { aws --endpoint-url "$backend" --region "${AWS_REGION:-us-east-1}" "$@"; }
awsx s3api create-bucket --bucket ebctl-tls >/dev/null 2>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-application --application-name tlsapp >/dev/null 2>>"$TMP/aws.err" ||
	{ not_ok "create the bucket and the application"; sed 's/^/#   /' "$TMP/aws.err"; }

export AWS_ENDPOINT_URL=https://127.0.0.1:$port AWS_MAX_ATTEMPTS=2 EBCTL_RETRY_BASE_MS=10
deploy() { "$EBCTL" deploy -C "$app" --app tlsapp --bucket ebctl-tls --label "$1" --version-only; }

unset AWS_CA_BUNDLE
expect_rc 3 "a certificate from an unknown CA is refused" deploy tls-v0
expect_err "cannot verify the TLS certificate of '127.0.0.1:$port'" "the message names the endpoint and the certificate"
expect_err "AWS_CA_BUNDLE" "the message says how to trust a private CA"
expect_not_out "tls-v0" "nothing was reported as done"

AWS_CA_BUNDLE=$pki/stranger.pem expect_rc 3 "AWS_CA_BUNDLE naming another CA is refused" deploy tls-v1
expect_err "certificate" "the message speaks of the certificate again"

AWS_CA_BUNDLE=$TMP/no-such-ca.pem expect_rc 3 "AWS_CA_BUNDLE naming a missing file fails" deploy tls-v2
expect_err "no-such-ca.pem" "the message names the missing CA file"

AWS_CA_BUNDLE=$pki/ca.pem expect_rc 0 "AWS_CA_BUNDLE naming the test CA: deployed" deploy tls-v3
versions=$(awsx elasticbeanstalk describe-application-versions --application-name tlsapp \
	--query 'ApplicationVersions[].VersionLabel' --output text 2>&1)
expect_eq "$versions" "tls-v3" "only the version sent through the verified endpoint exists"
if grep -q 'PUT /' "$ngx/logs/access.log"; then ok "the bundle went through the TLS endpoint"
else not_ok "no S3 PUT in nginx's log"; sed 's/^/#   /' "$ngx/logs/access.log" | head; fi
finish
