# ebctl render: every valid version 2 file of $SHARED/testdata/dockerrun/real
# rendered as compose and as Kubernetes manifests, parsed back (PyYAML) and
# compared with the Dockerrun file: names, images, ports and links.
. "$TESTS_DIR/lib.sh"
real=$SHARED/testdata/dockerrun/real
"$PYTHON" -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    if row["verdict"] == "valid" and row["version"] == "2":
        print(row["file"])
' "$real/MANIFEST.tsv" >"$TMP/v2"
expect_eq "$(wc -l <"$TMP/v2")" 5 "five valid version 2 files in the manifest"
while read -r file; do
	for to in compose k8s; do
		expect_rc 0 "$file renders as $to" "$EBCTL" render --to "$to" "$real/$file"
		cp "$TMP/out" "$TMP/$file.$to.yaml"
		if "$PYTHON" "$TESTS_DIR/cli/render_check.py" "$to" "$real/$file" "$TMP/$file.$to.yaml" >"$TMP/check" 2>&1; then
			ok "$file as $to: $(tail -1 "$TMP/check")"
		else
			not_ok "$file as $to does not round-trip"; sed 's/^/#   /' "$TMP/check" | tail -5
		fi
	done
done <"$TMP/v2"

# what cannot be carried over is named
run "$EBCTL" render --to k8s "$real/049-quocnhan1843-docker-nginx-fpm-php7.1.json"
expect_err "ebctl: warning: render: mount 'zops-src' of container 'src' is not carried over to Kubernetes" "k8s: mounts are named as not carried over"
expect_err "ebctl: warning: render: 'volumesFrom' of container 'fpm-7' is not carried over to Kubernetes" "k8s: volumesFrom named"
run "$EBCTL" render --to compose "$real/031-Cloud-CV-CloudCV.json"
expect_out "./logs/nginx-proxy:" "compose: awseb-logs-X becomes ./logs/X"

# a link alias and a /var/app/current path
mkdir -p "$TMP/app"
cat >"$TMP/app/Dockerrun.aws.json" <<'J'
{"AWSEBDockerrunVersion": 2,
 "volumes": [{"name": "conf", "host": {"sourcePath": "/var/app/current/nginx.conf"}}],
 "containerDefinitions": [
  {"name": "web", "image": "nginx:1.25", "memory": 128, "links": ["api:backend"],
   "portMappings": [{"hostPort": 80, "containerPort": 80}],
   "mountPoints": [{"sourceVolume": "conf", "containerPath": "/etc/nginx/nginx.conf", "readOnly": true}]},
  {"name": "api", "image": "acme/api:1.0", "memory": 256, "essential": false,
   "environment": [{"name": "PORT", "value": "5000"}], "portMappings": [{"containerPort": 5000}]}]}
J
expect_rc 0 "alias file as compose" "$EBCTL" render --to compose "$TMP/app/Dockerrun.aws.json"
expect_out '"./nginx.conf:/etc/nginx/nginx.conf:ro"' "compose: /var/app/current made relative, read-only kept"
expect_out 'PORT: "5000"' "compose: environment values stay strings"
expect_out 'restart: "no"' "compose: a non-essential container is not restarted"
cp "$TMP/out" "$TMP/alias.compose.yaml"
run "$PYTHON" "$TESTS_DIR/cli/render_check.py" compose "$TMP/app/Dockerrun.aws.json" "$TMP/alias.compose.yaml"
expect_eq "$rc" 0 "alias file: compose round-trips"
expect_rc 0 "alias file as k8s" "$EBCTL" render --to k8s -o "$TMP/alias.k8s.yaml" "$TMP/app/Dockerrun.aws.json"
run "$PYTHON" "$TESTS_DIR/cli/render_check.py" k8s "$TMP/app/Dockerrun.aws.json" "$TMP/alias.k8s.yaml"
expect_eq "$rc" 0 "alias file: k8s round-trips (a Service 'backend' selects api)"

# refusals
expect_rc 2 "--to is required" "$EBCTL" render "$TMP/app/Dockerrun.aws.json"
expect_err "--to compose or --to k8s is required" "--to missing is named"
expect_rc 2 "--to must be compose or k8s" "$EBCTL" render --to helm "$TMP/app/Dockerrun.aws.json"
expect_rc 1 "an invalid file is not rendered" "$EBCTL" render --to compose "$real/017-247521776-vehicles-monitoring-app.json"
expect_err "[link-target]" "its errors are printed"
expect_eq "$(cat "$TMP/out")" "" "nothing on stdout for an invalid file"
expect_rc 1 "a version 1 file is not rendered" "$EBCTL" render --to compose "$real/043-kldtz-CharSplit.json"
expect_err "render takes version 2" "version 1 is refused clearly"
expect_rc 1 "a missing file" "$EBCTL" render --to compose "$TMP/nope.json"
expect_err "ebctl: cannot open '$TMP/nope.json'" "missing file named"
# more output than a pipe holds, so the reader really goes away first
"$PYTHON" -c '
import json
cs = [{"name": "c%d" % i, "image": "acme/c:%d" % i, "memory": 64, "portMappings": [{"containerPort": 8000 + i}]} for i in range(400)]
cs[0]["portMappings"][0]["hostPort"] = 80
print(json.dumps({"AWSEBDockerrunVersion": 2, "containerDefinitions": cs}))' >"$TMP/big.json"
"$EBCTL" render --to k8s "$TMP/big.json" 2>"$TMP/pipe-err" | head -1 >/dev/null
expect_eq "$(cat "$TMP/pipe-err")" "" "a closed pipe ends quietly (nothing on stderr)"
finish
