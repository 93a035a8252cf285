# Helpers for the render tests (sourced after lib.sh): render a file and
# check the output with the target's own validators (tests/cli/render_check.py).

# The python with docker-compose's and the Kubernetes client's modules
# (Debian's python3-compose and python3-kubernetes, from ci/install-deps).
RENDER_PY=
for p in "$PYTHON" /usr/bin/python3; do
	if "$p" -c 'import compose.config.config, kubernetes.client, yaml' 2>/dev/null; then RENDER_PY=$p; break; fi
done
[ -n "$RENDER_PY" ] || not_ok "no python3 with docker-compose and kubernetes modules (run ci/install-deps)"
command -v docker-compose >/dev/null || not_ok "docker-compose is not installed (run ci/install-deps)"

# render_checked TO FILE NAME [ARGS...]: render FILE with ARGS (exit 0),
# then validate: compose with `docker-compose config -q` and the loader
# round-trip, k8s with the model and API rules, ecs with botocore. The
# output stays in $TMP/NAME.TO.
render_checked() {
	local to=$1 file=$2 name=$3 out py=$RENDER_PY
	shift 3
	case $to in compose) out=$TMP/$name/docker-compose.yml ;; *) out=$TMP/$name.$to ;; esac
	mkdir -p "$TMP/$name"
	if ! "$EBCTL" render --to "$to" "$@" -o "$out" "$file" 2>"$TMP/render-err"; then
		not_ok "$name renders as $to"; sed 's/^/#   /' "$TMP/render-err" | tail -5; return
	fi
	if [ "$to" = compose ] && ! (cd "$TMP/$name" && docker-compose -f docker-compose.yml config -q) >"$TMP/check" 2>&1; then
		not_ok "$name as compose: docker-compose config -q refuses it"; sed 's/^/#   /' "$TMP/check" | tail -5; return
	fi
	# Compose v2 too, where it is installed (Debian has only docker-compose 1.29)
	if [ "$to" = compose ] && docker compose version >/dev/null 2>&1 &&
		! (cd "$TMP/$name" && docker compose -f docker-compose.yml config -q) >"$TMP/check" 2>&1; then
		not_ok "$name as compose: docker compose config -q refuses it"; sed 's/^/#   /' "$TMP/check" | tail -5; return
	fi
	[ "$to" = ecs ] && py=$PYTHON
	if "$py" "$TESTS_DIR/cli/render_check.py" "$to" "$file" "$out" "$@" >"$TMP/check" 2>&1; then
		ok "$name as $to: $(tail -1 "$TMP/check")"
	else
		not_ok "$name as $to does not check"; sed 's/^/#   /' "$TMP/check" | tail -5
	fi
}
