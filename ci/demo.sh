#!/usr/bin/env bash
# The README's first command: a whole deployment on this machine, no AWS
# account needed. Installs what is missing, builds ebctl, starts the local
# sandbox (moto + Elastic Beanstalk), creates an application and an
# environment, deploys templates/multi-docker, shows the status, and stops
# the sandbox. Under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

say "checking dependencies (ci/install-deps)"
ci/install-deps
# moto and the aws CLI, when install-deps had to put them in .venv
[ -x .venv/bin/python3 ] && export PATH=$root/.venv/bin:$PATH
say "building ebctl"
make -j2 --no-print-directory >/dev/null
ebctl=$root/ebctl

work=$(mktemp -d "${TMPDIR:-/tmp}/ebctl-demo.XXXXXX")
sandbox_pid=
cleanup() {
	if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

say "starting the sandbox (a local AWS on 127.0.0.1)"
PY=${PYTHON:-python3}
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tests/sandbox/sandbox --port "$port" --env-file "$work/env" --deploy-seconds 3 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 300); do
	grep -q '^ready ' "$work/sandbox.log" 2>/dev/null && [ -s "$work/env" ] && break
	kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
	sleep 0.1
done
# shellcheck disable=SC1091
. "$work/env"
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_CONFIG_FILE=$work/no-config AWS_SHARED_CREDENTIALS_FILE=$work/no-credentials
echo "sandbox at $AWS_ENDPOINT_URL, region $AWS_REGION"

say "ebctl validate templates/multi-docker/Dockerrun.aws.json"
"$ebctl" validate templates/multi-docker/Dockerrun.aws.json

say "ebctl create --app multi-docker --env multi-docker-dev -C templates/multi-docker (from an empty account)"
set +e
"$ebctl" create --app multi-docker --env multi-docker-dev -C templates/multi-docker --label demo-1 \
	--description "ebctl demo" --timeout 2m
rc=$?
set -e
echo "exit code $rc"

if [ "$rc" -eq 0 ]; then
	say "ebctl deploy: the same bundle again, to the environment that now exists"
	set +e
	"$ebctl" deploy --app multi-docker --env multi-docker-dev -C templates/multi-docker --label demo-1 \
		--timeout 2m
	rc=$?
	set -e
	echo "exit code $rc"
fi

say "the environment now"
"$ebctl" status --app multi-docker --env multi-docker-dev

say "stopping the sandbox"
exit "$rc"
