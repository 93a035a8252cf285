# ebctl render on made-up files that exercise every field carried over, the
# names Kubernetes refuses, '$' and other characters that must read back
# unchanged, --replicas and volumesFrom; each checked as in render.sh.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/cli/render.bash"
"$PYTHON" - "$TMP" <<'PY'
import json, sys
t = sys.argv[1]
def write(name, cs, vols=None):
    d = {"AWSEBDockerrunVersion": 2, "containerDefinitions": cs}
    if vols is not None:
        d["volumes"] = vols
    json.dump(d, open(f"{t}/{name}.json", "w", encoding="utf-8"), ensure_ascii=False)
tricky = "pa$5 $HOME ${HOME} $$ \"dq\" 'sq' \\ back\nnew line\ttab é ü 漢字 😀 #x: y"
write("fields", [
    {"name": "web", "image": "nginx:1.25", "memory": 128, "memoryReservation": 64, "cpu": 256,
     "essential": True, "links": ["api:backend"],
     "portMappings": [{"hostPort": 80, "containerPort": 8080}],
     "environment": [{"name": "TRICKY", "value": tricky}, {"name": "EMPTY", "value": ""}],
     "command": ["sh", "-c", "echo $HOME \"$(date)\""], "entryPoint": ["/docker-entrypoint.sh"],
     "workingDirectory": "/srv", "hostname": "web", "user": "nginx", "privileged": True,
     "dnsServers": ["10.0.0.2"],
     "extraHosts": [{"hostname": "db.local", "ipAddress": "10.0.0.5"}],
     "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"],
                     "interval": 10, "timeout": 3, "retries": 2, "startPeriod": 5},
     "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}],
     "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"}},
     "interactive": True, "pseudoTerminal": True,
     "dockerLabels": {"com.example.team": "web $team", "tier": tricky, "bad key!": "x"},
     "stopTimeout": 20, "startTimeout": 30, "readonlyRootFilesystem": True,
     "linuxParameters": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["MKNOD"]}, "initProcessEnabled": True}},
    {"name": "api", "image": "acme/api:1.0", "memory": 256, "essential": False,
     "portMappings": [{"hostPort": 4001, "containerPort": 4000}, {"containerPort": 5000, "protocol": "udp"}],
     "healthCheck": {"command": ["CMD", "/bin/check", "--quick"]}}])
long = "a" + "b" * 77
write("names", [
    {"name": "1api", "image": "a:1", "memory": 64, "portMappings": [{"containerPort": 80, "hostPort": 80}],
     "links": ["_worker", long + ":Svc_Alias"]},
    {"name": "_worker", "image": "a:1", "memory": 64, "portMappings": [{"containerPort": 4000, "hostPort": 4001}]},
    {"name": long, "image": "a:1", "memory": 64},
    {"name": long[:-1] + "c", "image": "a:1", "memory": 64}])
write("clash", [
    {"name": "a_b", "image": "a:1", "memory": 64, "portMappings": [{"hostPort": 80, "containerPort": 80}]},
    {"name": "A-b", "image": "a:1", "memory": 64}])
write("scale", [
    {"name": "nginx", "image": "nginx:1", "memory": 64, "links": ["server"],
     "portMappings": [{"hostPort": 80, "containerPort": 80}]},
    {"name": "server", "image": "acme/server:1", "memory": 128, "links": ["redis"],
     "portMappings": [{"containerPort": 5000}]},
    {"name": "worker", "image": "acme/worker:1", "memory": 128, "links": ["redis"],
     "portMappings": [{"hostPort": 9000, "containerPort": 9000}]},
    {"name": "redis", "image": "redis:7", "memory": 64}])
write("pod", [
    {"name": "src", "image": "acme/src:1", "memory": 64, "essential": False,
     "mountPoints": [{"sourceVolume": "code", "containerPath": "/var/www"}]},
    {"name": "fpm", "image": "php:8-fpm", "memory": 128, "volumesFrom": [{"sourceContainer": "src"}],
     "portMappings": [{"containerPort": 9000}]},
    {"name": "nginx", "image": "nginx:1", "memory": 64, "links": ["fpm"],
     "volumesFrom": [{"sourceContainer": "src", "readOnly": True}],
     "portMappings": [{"hostPort": 80, "containerPort": 80}]}],
    [{"name": "code", "host": {"sourcePath": "/var/app/current/src"}}])
PY

for name in fields names scale pod; do
	for to in compose k8s ecs; do render_checked "$to" "$TMP/$name.json" "$name"; done
done

# '$' and the rest read back byte for byte (render_check.py compares them
# through docker-compose's loader; here the escape itself)
expect_out_file() { if grep -qF -- "$2" "$1"; then ok "$3"; else not_ok "$3: '$2' not in $1"; fi; }
expect_out_file "$TMP/fields/docker-compose.yml" '"pa$$5 $$HOME $${HOME} $$$$' "compose: '\$' is written '\$\$'"
expect_out_file "$TMP/fields/docker-compose.yml" '"echo $$HOME \"$$(date)\""' "compose: '\$' in a command too"
expect_out_file "$TMP/fields.k8s" '"echo $$HOME \"$$(date)\""' "k8s: '\$(...)' in args is escaped"

# every field carried over where the target has it, nothing named dropped
run "$EBCTL" render --to compose "$TMP/fields.json"
for k in extra_hosts healthcheck ulimits logging stdin_open tty labels stop_grace_period read_only cap_add cap_drop cpu_shares; do
	expect_out "    $k:" "compose: $k"
done
expect_err "'startTimeout' of container 'web' is not carried over to compose" "compose: startTimeout named"
expect_err "'linuxParameters.initProcessEnabled' of container 'web' is not carried over to compose" "compose: the rest of linuxParameters named"
expect_not_err "'healthCheck'" "compose: healthCheck carried over"
run "$EBCTL" render --to k8s "$TMP/fields.json"
for k in hostAliases livenessProbe stdin tty annotations terminationGracePeriodSeconds readOnlyRootFilesystem capabilities privileged; do
	expect_out "$k:" "k8s: $k"
done
for k in ulimits logConfiguration startTimeout hostname user dnsServers; do
	expect_err "'$k' of container 'web' is not carried over to Kubernetes" "k8s: $k named"
done
expect_not_err "'extraHosts'" "k8s: extraHosts carried over"
expect_err "docker label 'bad key!' of container 'web' is not carried over to Kubernetes" "k8s: a label that is no annotation key is named"
run "$EBCTL" render --to ecs "$TMP/fields.json"
expect_eq "$(grep -c 'not carried over' "$TMP/err")" 0 "ecs: everything carried over"

# Services of link targets listen on the container port (host 4001 -> 4000)
"$PYTHON" - "$TMP/fields.k8s" >"$TMP/ports" <<'PY'
import sys, yaml
for x in yaml.safe_load_all(open(sys.argv[1])):
    if x and x["kind"] == "Service":
        print(x["metadata"]["name"], " ".join(f'{p["port"]}>{p["targetPort"]}' for p in x["spec"].get("ports", [])))
PY
expect_eq "$(grep '^backend ' "$TMP/ports")" "backend 4000>4000 5000>5000 4001>4000" "k8s: an alias Service listens on the container port (and the host port)"
expect_eq "$(grep '^api ' "$TMP/ports")" "api 4000>4000 5000>5000 4001>4000" "k8s: the linked container's Service too"

# names Kubernetes takes
run "$EBCTL" render --to k8s "$TMP/names.json"
expect_err "container '1api' is called 'c-1api'" "a name starting with a digit gets a letter"
expect_err "container '_worker' is called 'worker'" "a leading '_' goes"
grep '^  name: "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-[0-9a-f]\{8\}"$' "$TMP/out" >"$TMP/long"
expect_eq "$(wc -l <"$TMP/long") $(sort -u "$TMP/long" | wc -l)" "3 2" "two 78-character names: 63 characters, kept apart by a hash (two Deployments, one Service)"
expect_rc 1 "a_b beside A-b is refused" "$EBCTL" render --to k8s "$TMP/clash.json"
expect_err "containers 'a_b' and 'A-b' would both be called 'a-b' in Kubernetes" "the collision names both containers"
expect_eq "$(cat "$TMP/out")" "" "nothing written for a collision"
render_checked compose "$TMP/clash.json" clash

# scaling: --replicas worker=5 changes that Deployment only
render_checked k8s "$TMP/scale.json" scale5 --replicas worker=5
render_checked compose "$TMP/scale.json" scale5 --replicas worker=5
"$PYTHON" - "$TMP/scale5.k8s" "$TMP/scale.k8s" >"$TMP/rep" <<'PY'
import sys, yaml
a, b = ([x for x in yaml.safe_load_all(open(p)) if x] for p in sys.argv[1:3])
for x, y in zip(a, b):
    if x != y:
        print(x["kind"], x["metadata"]["name"], x["spec"].get("replicas"), y["spec"].get("replicas"))
PY
expect_eq "$(cat "$TMP/rep")" "Deployment worker 5 1" "--replicas worker=5: the worker Deployment has 5 replicas, the rest unchanged"
run "$EBCTL" render --to compose --replicas worker=5 "$TMP/scale.json"
expect_err "the fixed host ports of container 'worker' are left to Docker to pick" "compose: a fixed host port of a replicated service is dropped, with a warning"
expect_out '- "9000/tcp"' "compose: the container port stays"
expect_rc 1 "--replicas of no container" "$EBCTL" render --to k8s --replicas wokrer=5 "$TMP/scale.json"
expect_err "--replicas names 'wokrer', which is no container of the file" "the unknown name is named"
expect_rc 2 "--replicas without a count" "$EBCTL" render --to k8s --replicas worker "$TMP/scale.json"
expect_rc 2 "--replicas 0" "$EBCTL" render --to k8s --replicas worker=0 "$TMP/scale.json"
expect_rc 1 "one Pod, two counts" "$EBCTL" render --to k8s --replicas fpm=2 --replicas nginx=3 "$TMP/pod.json"
expect_err "share one Pod (volumesFrom) but --replicas asks 2 and 3" "a Pod's containers cannot scale apart"

# volumesFrom: one Pod, the source as a sidecar, an emptyDir
"$PYTHON" - "$TMP/pod.k8s" >"$TMP/podinfo" <<'PY'
import sys, yaml
for x in yaml.safe_load_all(open(sys.argv[1])):
    if x and x["kind"] == "Deployment":
        s = x["spec"]["template"]["spec"]
        print(x["metadata"]["name"], [c["name"] for c in s["containers"]], s.get("volumes"),
              [(c["name"], m["mountPath"], m.get("readOnly", False)) for c in s["containers"] for m in c.get("volumeMounts", [])])
PY
expect_eq "$(cat "$TMP/podinfo")" "fpm ['fpm', 'src', 'nginx'] [{'name': 'code', 'emptyDir': {}}] [('fpm', '/var/www', False), ('src', '/var/www', False), ('nginx', '/var/www', True)]" "volumesFrom: one Deployment, the source a sidecar, an emptyDir shared, read-only kept"
render_checks
finish
