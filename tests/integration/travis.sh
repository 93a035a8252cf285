# The Travis template against the sandbox: its env, script and deploy
# commands run as Travis would run them (install, which clones and builds
# ebctl from GitHub, is replaced by the binary under test on PATH).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"

expect_rc 0 "ebctl init --ci travis writes the app and .travis.yml" "$EBCTL" init -C "$TMP/repo" --ci travis
TRAVIS=$TMP/repo/.travis.yml

# The settings of the .travis.yml init wrote: env.global, script and deploy,
# as shell lines.
run "$PYTHON" - "$TRAVIS" <<'PY'
import shlex, sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
d = t["deploy"]
on = d.get("on", d.get(True))  # YAML 1.1 reads a bare `on` key as true
assert d["provider"] == "script" and on["branch"] == "main", d
for e in t["env"]["global"]:
    name, value = e.split("=", 1)
    print("export %s=%s" % (name, shlex.quote(value)))
for line in t["script"]:
    print(line)
print(d["script"])
PY
expect_eq "$rc" 0 "the template has env.global, script and a script deploy on main"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TMP/err"
cp "$TMP/out" "$TMP/travis-steps.sh"
grep -q '^export EBCTL_BUCKET=' "$TMP/travis-steps.sh" && ok "the template sets the bucket" || not_ok "no EBCTL_BUCKET in env.global"
region=$(sed -n 's/^export EBCTL_REGION=//p' "$TMP/travis-steps.sh")
app=$(sed -n 's/^export EBCTL_APP=//p' "$TMP/travis-steps.sh")
envname=$(sed -n 's/^export EBCTL_ENV=//p' "$TMP/travis-steps.sh")
bucket=$(sed -n 's/^export EBCTL_BUCKET=//p' "$TMP/travis-steps.sh")
path=$(sed -n 's/^export EBCTL_BUCKET_PATH=//p' "$TMP/travis-steps.sh")

sandbox_start --deploy-seconds 0.5 || { not_ok "sandbox starts"; finish; }
export AWS_REGION=$region
create_envs "$app" "$envname" || { not_ok "create the template's application and environment"; finish; }
eb_aws s3api create-bucket --bucket "$bucket" >/dev/null || { not_ok "create the template's bucket"; finish; }

# As on Travis: one shell, the commit in TRAVIS_COMMIT, ebctl on PATH.
expect_rc 0 "the template's script and deploy commands succeed" env -C "$TMP/repo" \
	PATH="$(dirname "$EBCTL"):$PATH" TRAVIS=true TRAVIS_COMMIT=0123456789abcdef0123456789abcdef01234567 \
	bash -e "$TMP/travis-steps.sh"
expect_eq "$(env_field "$envname" VersionLabel)" "0123456" "the environment runs the commit's label"
expect_eq "$(env_field "$envname" Status)" "Ready" "the environment is Ready"
keys=$(eb_aws s3api list-objects-v2 --bucket "$bucket" --query 'Contents[].Key')
case "$keys" in "$path/$app/"*.zip) ok "the bundle is under bucket_path/app/ in bucket_name" ;;
*) not_ok "the bucket holds '$keys', not one $path/$app/SHA256.zip" ;; esac
finish
