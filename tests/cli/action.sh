# The GitHub Action: action.yml parses, each input reaches scripts/action.sh
# and becomes the right flag of `ebctl deploy`, each output is written.
# (tests/integration/action.sh runs the script against the sandbox.)
. "$TESTS_DIR/lib.sh"
ROOT=$PWD

# ---- action.yml against the script ----
run "$PYTHON" - "$ROOT/action.yml" "$ROOT/scripts/action.sh" "$ROOT/docs/github-actions.md" <<'PY'
import re, sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
script = open(sys.argv[2]).read()
def check(cond, msg): print(("ok - " if cond else "not ok - ") + msg)
check(action.get("runs", {}).get("using") == "composite", "action.yml is a composite action")
steps = action["runs"]["steps"]
check(all(s.get("shell") == "bash" for s in steps if "run" in s), "every run step names its shell")
deploy = [s for s in steps if "scripts/action.sh" in s.get("run", "")]
check(len(deploy) == 1, "one step runs scripts/action.sh")
step = deploy[0]; env = step.get("env", {})
want = ["application-name", "environment-name", "aws-region", "version-label", "bucket",
        "bucket-path", "role-arn", "wait", "timeout", "healthy", "working-directory",
        "create-application", "create-environment", "platform", "option-settings",
        "cname-prefix", "tags"]
check(sorted(action["inputs"]) == sorted(want), "inputs are exactly: " + ", ".join(want))
for name in action["inputs"]:
    var = "INPUT_" + name.upper().replace("-", "_")
    check(env.get(var) == "${{ inputs.%s }}" % name, "input %s is passed as %s" % (name, var))
    check(re.search(r"\$\{?" + var + r"\b", script) is not None, "scripts/action.sh reads %s" % var)
    check(bool(action["inputs"][name].get("description")), "input %s is described" % name)
for name, out in action["outputs"].items():
    check(out.get("value") == "${{ steps.%s.outputs.%s }}" % (step.get("id"), name),
          "output %s comes from the deploy step" % name)
    check(re.search(r"write_output %s " % re.escape(name), script) is not None,
          "scripts/action.sh writes output %s" % name)
check(sorted(action["outputs"]) == sorted(["version-label", "environment-url",
      "environment-status", "environment-health"]), "outputs are the four documented ones")
# Install: the release of the action's own ref, else a cached build.
byid = {s.get("id"): s for s in steps if s.get("id")}
rel = byid.get("release", {})
check(re.search(r'scripts/install\.sh"? --release', rel.get("run", "")) is not None, "the release step runs scripts/install.sh --release")
check(rel.get("env", {}).get("EBCTL_REF") == "${{ github.action_ref }}", "the release is the one of the action's own ref")
check(rel.get("env", {}).get("EBCTL_REPOSITORY") == "${{ github.action_repository }}", "from the action's own repository")
check(re.search(r"case \$rc in 0 \| 3\) ;; \*\) exit", rel.get("run", "")) is not None,
      "only 'no release' (exit 3) goes on to the build; a bad checksum fails the step")
cache = byid.get("cache", {})
check(cache.get("uses", "").startswith("actions/cache@"), "the build is restored with actions/cache")
check(cache.get("with", {}).get("key") == "${{ steps.key.outputs.key }}", "keyed by the key step")
key = byid.get("key", {}).get("run", "")
check("$RUNNER_OS" in key and "--source-key" in key, "the key is the runner's OS and the action's source")
check(all(s.get("if", "").startswith("steps.release.outputs.from != 'release'") for s in steps
          if s.get("id") in ("key", "cache", "build") or "apt-get install" in s.get("run", "") and "jq" not in s.get("name", "")),
      "with a release, nothing is cached, installed or built")
deps = [s for s in steps if s.get("name") == "Install the build dependencies"]
check(len(deps) == 1 and "steps.cache.outputs.cache-hit != 'true'" in deps[0].get("if", ""),
      "the build dependencies are installed only on a cache miss")
check(byid.get("build", {}).get("run", "").endswith("scripts/install.sh\" --build")
      and "$HOME/.cache/ebctl-action" in byid["build"]["run"], "the build step builds into the cached directory")
check(env.get("EBCTL") == "${{ steps.release.outputs.ebctl || steps.build.outputs.ebctl }}",
      "the deploy step runs the installed binary")
guide = open(sys.argv[3]).read()
for name in list(action["inputs"]) + list(action["outputs"]):
    check("| `%s` |" % name in guide, "docs/github-actions.md has a table row for %s" % name)
PY
cat "$TMP/out"; [ "$rc" -eq 0 ] || { not_ok "checking action.yml failed (exit $rc)"; sed 's/^/#   /' "$TMP/err"; }

# Every flag the script can pass is one the real `ebctl deploy` accepts.
deploy_flags=$("$EBCTL" deploy --help | sed -n -e 's/^  -\([A-Za-z0-9]\), --\([A-Za-z0-9-]*\).*/-\1 --\2/p' \
	-e 's/^      --\([A-Za-z0-9-]*\).*/--\1/p' | tr ' ' '\n')
script_flags=$(grep -oE '(add_flag |args\+=\(|args=\(deploy )-{1,2}[A-Za-z][A-Za-z0-9-]*' "$ROOT/scripts/action.sh" |
	grep -oE -- '-{1,2}[A-Za-z][A-Za-z0-9-]*$' | sort -u)
[ "$(wc -l <<<"$script_flags")" -ge 12 ] && ok "found the flags scripts/action.sh passes" || not_ok "could not find the script's flags"
for f in $script_flags; do
	grep -qx -- "$f" <<<"$deploy_flags" && ok "ebctl deploy accepts $f" || not_ok "ebctl deploy has no $f (scripts/action.sh passes it)"
done

# ---- the script's mapping, with a stand-in binary that records its argv ----
# and prints the result ebctl deploy --format json would.
cat >"$TMP/fake-ebctl" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$FAKE_ARGS"
cat "$FAKE_RESULT"
exit "${FAKE_RC:-0}"
SH
chmod +x "$TMP/fake-ebctl"
export EBCTL=$TMP/fake-ebctl FAKE_ARGS=$TMP/args FAKE_RESULT=$TMP/result GITHUB_OUTPUT=$TMP/gh-out
cat >"$TMP/result" <<'JSON'
{"label": "v1-abc", "environments": [
 {"environment": "web-a", "status": "Ready", "health": "Green", "url": "http://a.example"},
 {"environment": "web-b", "status": "Ready", "health": "Yellow", "url": "http://b.example"}]}
JSON
args() { tr '\n' ' ' <"$TMP/args" | sed 's/ $//'; }
# output NAME: the value of an output in $GITHUB_OUTPUT.
output() { "$PYTHON" "$TESTS_DIR/github-output.py" "$GITHUB_OUTPUT" "$1"; }

: >"$GITHUB_OUTPUT"
expect_rc 0 "every input set" env INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=$'web-a, web-b\n\n' \
	INPUT_AWS_REGION=eu-west-1 INPUT_VERSION_LABEL=v1-abc INPUT_BUCKET=bkt INPUT_BUCKET_PATH=apps \
	INPUT_ROLE_ARN=arn:aws:iam::123456789012:role/deploy INPUT_WAIT=true INPUT_TIMEOUT=15m \
	INPUT_HEALTHY=Green,Yellow INPUT_WORKING_DIRECTORY=site "$ROOT/scripts/action.sh"
expect_eq "$(args)" "deploy --format json --app shop --region eu-west-1 --label v1-abc --bucket bkt --bucket-path apps --role-arn arn:aws:iam::123456789012:role/deploy --timeout 15m --healthy Green,Yellow -C site --env web-a --env web-b" \
	"each input becomes its flag, one --env per environment"
expect_eq "$(output version-label)" "v1-abc" "version-label output"
expect_eq "$(output environment-url)" "http://a.example,http://b.example" "environment-url output, in order"
expect_eq "$(output environment-status)" "Ready,Ready" "environment-status output"
expect_eq "$(output environment-health)" "Green,Yellow" "environment-health output"

: >"$GITHUB_OUTPUT"
expect_rc 0 "only the application" env INPUT_APPLICATION_NAME=shop "$ROOT/scripts/action.sh"
expect_eq "$(args)" "deploy --format json --app shop --version-only" "no environment means --version-only; empty inputs add no flag"

expect_rc 0 "wait: false" env INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=web-a INPUT_WAIT=false "$ROOT/scripts/action.sh"
expect_eq "$(args)" "deploy --format json --app shop --no-wait --env web-a" "wait false is --no-wait"

rm -f "$TMP/args"
expect_rc 2 "wait: maybe" env INPUT_APPLICATION_NAME=shop INPUT_WAIT=maybe "$ROOT/scripts/action.sh"
expect_err "input 'wait' must be true or false, not 'maybe'" "a bad wait value is named"
[ -e "$TMP/args" ] && not_ok "ebctl ran despite a bad input" || ok "ebctl does not run on a bad input"

# ebctl's exit status comes through, after the outputs are written.
: >"$GITHUB_OUTPUT"
echo '{"label": "v2", "environments": [{"environment": "web-a", "status": "Ready", "health": "Red", "url": "http://a"}]}' >"$TMP/result"
expect_rc 5 "an unhealthy deployment keeps exit 5" env FAKE_RC=5 INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=web-a "$ROOT/scripts/action.sh"
expect_eq "$(output environment-health)" "Red" "outputs are written on failure too"

: >"$GITHUB_OUTPUT"; : >"$TMP/result"
expect_rc 3 "no result at all" env FAKE_RC=3 INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=web-a "$ROOT/scripts/action.sh"
expect_err "ebctl deploy printed no result" "warns that the outputs are empty"
expect_eq "$(output version-label)" "" "outputs are set, empty"

# Without GITHUB_OUTPUT (a local run) the outputs are printed.
echo '{"label": "v3", "environments": []}' >"$TMP/result"
expect_rc 0 "local run" env -u GITHUB_OUTPUT INPUT_APPLICATION_NAME=shop "$ROOT/scripts/action.sh"
expect_out "version-label=v3" "outputs go to stdout without GITHUB_OUTPUT"
finish
