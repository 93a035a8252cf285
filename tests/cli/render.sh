# ebctl render over every valid version 2 file of $SHARED/testdata/dockerrun
# (real and corpus): compose passes docker-compose's validator and loader,
# Kubernetes the client models and the API server's rules, ECS botocore's
# ParamValidator; everything round-trips (tests/cli/render_check.py).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/cli/render.bash"
real=$SHARED/testdata/dockerrun/real
corpus=$SHARED/testdata/dockerrun/corpus
# one validate run for all of them (one report each, in order), one python
"$EBCTL" validate --format json "$real"/*.json "$corpus"/*.json 2>/dev/null |
	"$PYTHON" -c 'import json, sys; [print(r["file"]) for r in json.load(sys.stdin) if r["valid"] and r["version"] == 2]' >"$TMP/v2"
expect_eq "$(grep -c "^$real/" "$TMP/v2")" 5 "five valid version 2 files in real"
expect_eq "$(grep -c "^$corpus/" "$TMP/v2")" "$(cat "$TESTS_DIR/cli/render-corpus-count")" "the valid version 2 files of the corpus"
while read -r file; do
	for to in compose k8s ecs; do
		render_checked "$to" "$file" "$(basename "$file" .json)"
	done
done <"$TMP/v2"

# what cannot be carried over is named, and only that
run "$EBCTL" render --to k8s "$real/049-quocnhan1843-docker-nginx-fpm-php7.1.json"
expect_err "ebctl: warning: render: mount 'zops-src' of container 'src' is an emptyDir shared in its Pod" "k8s: a shared mount is named as an emptyDir"
expect_err "container 'nginx-7' shares the Pod of Deployment 'fpm-7'" "k8s: volumesFrom joins the Pod, and says so"
expect_not_err "'volumesFrom' of container" "k8s: volumesFrom is carried over"
for to in compose k8s ecs; do
	run "$EBCTL" render --to "$to" "$real/049-quocnhan1843-docker-nginx-fpm-php7.1.json"
	expect_eq "$(grep -cE "'(volumesFrom|mountPoints|cpu)' of container" "$TMP/err")" 0 "$to: no warning for empty volumesFrom, mountPoints or a cpu of 0"
done
mkdir -p "$TMP/here" && cp "$real/031-Cloud-CV-CloudCV.json" "$TMP/here/Dockerrun.aws.json"
(cd "$TMP/here" && "$EBCTL" render --to compose) >"$TMP/here.yml" 2>/dev/null
"$EBCTL" render --to compose "$TMP/here" >"$TMP/here-dir.yml" 2>/dev/null
run "$EBCTL" render --to compose "$real/031-Cloud-CV-CloudCV.json"
expect_eq "$(sed 1d "$TMP/here.yml")" "$(sed 1d "$TMP/out")" "render with no FILE renders ./Dockerrun.aws.json"
expect_eq "$(sed 1d "$TMP/here-dir.yml")" "$(sed 1d "$TMP/out")" "render DIR renders DIR/Dockerrun.aws.json"
expect_out "./logs/nginx-proxy:" "compose: awseb-logs-X becomes ./logs/X"
run "$EBCTL" render --to ecs "$real/031-Cloud-CV-CloudCV.json"
expect_out '"sourcePath": "/var/log/containers/nginx-proxy"' "ecs: the awseb-logs volumes Elastic Beanstalk adds are declared"

# refusals
expect_rc 2 "--to is required" "$EBCTL" render "$real/031-Cloud-CV-CloudCV.json"
expect_err "--to compose, --to k8s or --to ecs is required" "--to missing is named"
expect_rc 2 "--to must be compose, k8s or ecs" "$EBCTL" render --to helm "$real/031-Cloud-CV-CloudCV.json"
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
for to in k8s compose ecs; do
	"$EBCTL" render --to $to "$TMP/big.json" 2>"$TMP/pipe-err" | head -1 >/dev/null
	expect_eq "$(cat "$TMP/pipe-err")" "" "$to: a closed pipe ends quietly (nothing on stderr)"
done
render_checks
finish
