# ebctl render on very large files: n log n, not a walk through every
# container or volume per lookup. Apart from render.sh so that the valgrind
# stage can leave it out (growth, not memory errors).
. "$TESTS_DIR/lib.sh"
# many containers, links and mounts render in n log n: each lookup was a walk
# through all the containers or volumes (minutes for these files)
"$PYTHON" - "$TMP" <<'PY'
import sys
t, n = sys.argv[1], 100000
cs = ['{"name": "c%d", "image": "a:1", "memory": 9, "links": ["c%d:a%d"]}' % (i, i + 1, i) for i in range(n - 1)]
cs.append('{"name": "c%d", "image": "a:1", "memory": 9, "portMappings": [{"hostPort": 80, "containerPort": 80}]}' % (n - 1))
open(t + "/chain.json", "w").write('{"AWSEBDockerrunVersion": 2, "containerDefinitions": [' + ",".join(cs) + "]}")
n = 60000
vs = ",".join('{"name": "v%d", "host": {"sourcePath": "/var/app/current/d%d"}}' % (i, i) for i in range(n))
ms = ",".join('{"sourceVolume": "v%d", "containerPath": "/m%d"}' % (i, i) for i in range(n))
open(t + "/mounts.json", "w").write('{"AWSEBDockerrunVersion": 2, "volumes": [' + vs + '], "containerDefinitions": '
    '[{"name": "w", "image": "a:1", "memory": 9, "portMappings": [{"hostPort": 80, "containerPort": 80}], '
    '"mountPoints": [' + ms + "]}]}")
PY
expect_rc 0 "100,000 linked containers as k8s" "$EBCTL" render --to k8s "$TMP/chain.json"
expect_eq "$(grep -c '^kind: "Deployment"$' "$TMP/out")" 100000 "chain: a Deployment per container"
expect_eq "$(grep -c '^kind: "Service"$' "$TMP/out")" 199998 "chain: a Service per linked container and per alias"
expect_eq "$(grep -c '^  name: "a99998"$' "$TMP/out")" 1 "chain: the last alias has its Service"
expect_rc 0 "60,000 mounts as compose" "$EBCTL" render --to compose "$TMP/mounts.json"
expect_out '- "./d59999:/m59999"' "mounts: the last volume is found"
expect_eq "$(grep -c '^    - "./d[0-9]*:/m[0-9]*"$' "$TMP/out")" 60000 "mounts: every volume is found"
finish
