# ebctl render --from-env against the sandbox: the environment's properties
# as a Kubernetes ConfigMap and Secret, and as a compose .env file, with the
# modes that keep them private.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"
. "$TESTS_DIR/cli/render.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env renderapp renderenv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi
expect_rc 0 "setenv the properties" "$EBCTL" setenv --env renderenv --timeout 60s \
	'DB_URL=postgres://u:p@db:5432/app?ssl=true' 'DB_PASSWORD=hun$ter"2' "LEVEL=it's \\ fine" 'my:key=x'
cat >"$TMP/Dockerrun.aws.json" <<'J'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
 {"name": "web", "image": "nginx:1.25", "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}],
  "environment": [{"name": "LEVEL", "value": "debug"}]}]}
J

expect_rc 0 "render --to k8s --from-env" "$EBCTL" render --to k8s --from-env renderenv -o "$TMP/app.yaml" "$TMP/Dockerrun.aws.json"
expect_eq "$(stat -c %a "$TMP/app.yaml")" 600 "k8s: the output holding a Secret has mode 0600"
expect_err "property 'my:key' is not carried over to Kubernetes" "a name that is no ConfigMap key is named"
"$RENDER_PY" - "$TMP/app.yaml" >"$TMP/props" <<'PY'
import base64, sys, yaml
docs = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x]
cm = next(x for x in docs if x["kind"] == "ConfigMap")
sec = next(x for x in docs if x["kind"] == "Secret")
dep = next(x for x in docs if x["kind"] == "Deployment")
print("configmap", cm["metadata"]["name"], sorted(cm["data"].items()))
print("secret", sec["metadata"]["name"], sorted((k, base64.b64decode(v).decode()) for k, v in sec["data"].items()))
print("envFrom", dep["spec"]["template"]["spec"]["containers"][0]["envFrom"])
PY
expect_eq "$(sed -n 1p "$TMP/props")" "configmap renderenv-env [('DB_URL', 'postgres://u:p@db:5432/app?ssl=true'), ('LEVEL', \"it's \\\\ fine\")]" "k8s: the ConfigMap has the plain properties"
expect_eq "$(sed -n 2p "$TMP/props")" "secret renderenv-secrets [('DB_PASSWORD', 'hun\$ter\"2')]" "k8s: the Secret has the secret-looking one, base64"
expect_eq "$(sed -n 3p "$TMP/props")" "envFrom [{'configMapRef': {'name': 'renderenv-env'}}, {'secretRef': {'name': 'renderenv-secrets'}}]" "k8s: the container takes both with envFrom"
"$RENDER_PY" "$TESTS_DIR/cli/render_check.py" k8s "$TMP/Dockerrun.aws.json" "$TMP/app.yaml" >"$TMP/check" 2>&1
expect_eq "$?" 0 "k8s with the properties passes the models and the API rules"

mkdir -p "$TMP/compose"
expect_rc 0 "render --to compose --from-env" "$EBCTL" render --to compose --from-env renderenv -o "$TMP/compose/docker-compose.yml" "$TMP/Dockerrun.aws.json"
expect_eq "$(stat -c %a "$TMP/compose/.env")" 600 "compose: .env has mode 0600"
expect_err ".env' (mode 0600)" "compose: where the properties went is said"
expect_not_out "hun" "compose: no value on stdout"
(cd "$TMP/compose" && docker-compose config -q) >"$TMP/check" 2>&1
expect_eq "$?" 0 "compose with env_file passes docker-compose config -q"
"$RENDER_PY" - "$TMP/compose/docker-compose.yml" >"$TMP/env" <<'PY'
import os, sys
from compose.config import config
from compose.config.environment import Environment
p = sys.argv[1]
d = config.ConfigDetails(os.path.dirname(p), [config.ConfigFile.from_filename(p)], Environment({}))
env = config.load(d).services[0]["environment"]
print(sorted(env.items()))
PY
expect_eq "$(cat "$TMP/env")" "[('DB_PASSWORD', 'hun\$ter\"2'), ('DB_URL', 'postgres://u:p@db:5432/app?ssl=true'), ('LEVEL', 'debug'), ('my:key', 'x')]" "compose: docker-compose reads the properties back unchanged, the container's own environment wins"

expect_rc 0 "render without --from-env" "$EBCTL" render --to k8s "$TMP/Dockerrun.aws.json"
expect_not_out "Secret" "without --from-env nothing secret is written"
expect_rc 1 "--from-env of no environment" "$EBCTL" render --to k8s --from-env nosuchenv "$TMP/Dockerrun.aws.json"
expect_eq "$(cat "$TMP/out")" "" "nothing written when the properties cannot be read"
finish
