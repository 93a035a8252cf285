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

# render_checked TO FILE NAME [ARGS...]: render FILE with ARGS (exit 0) and
# queue the check of the output: compose with docker-compose's
# `config -q` and its loader's round-trip, k8s with the model and API rules,
# ecs with botocore. render_checks runs the queue. The output stays in
# $TMP/NAME.TO.
render_checked() {
	local to=$1 file=$2 name=$3 out
	shift 3
	case $to in compose) out=$TMP/$name/docker-compose.yml ;; *) out=$TMP/$name.$to ;; esac
	mkdir -p "$TMP/$name"
	if ! "$EBCTL" render --to "$to" "$@" -o "$out" "$file" 2>"$TMP/render-err"; then
		not_ok "$name renders as $to"; sed 's/^/#   /' "$TMP/render-err" | tail -5; return
	fi
	# Compose v2 too, where it is installed (Debian has only docker-compose 1.29)
	if [ "$to" = compose ] && docker compose version >/dev/null 2>&1 &&
		! (cd "$TMP/$name" && docker compose -f docker-compose.yml config -q) >"$TMP/check" 2>&1; then
		not_ok "$name as compose: docker compose config -q refuses it"; sed 's/^/#   /' "$TMP/check" | tail -5; return
	fi
	# ecs needs botocore ($PYTHON's), the others Debian's modules
	local IFS=$'\t'
	echo "$name	$to	$file	$out${*:+	$*}" >>"$TMP/render-checks.$([ "$to" = ecs ] && echo ecs || echo debian)"
}

# render_checks: run the queued checks, each python once for all of its
# checks (the imports cost far more than a check), a TAP line per check.
render_checks() {
	local q py n got line
	for q in debian ecs; do
		[ -s "$TMP/render-checks.$q" ] || continue
		py=$RENDER_PY; [ "$q" = ecs ] && py=$PYTHON
		"$py" "$TESTS_DIR/cli/render_check.py" --batch <"$TMP/render-checks.$q" >"$TMP/render-results" 2>"$TMP/render-stderr"
		n=$(wc -l <"$TMP/render-checks.$q") got=0
		while IFS= read -r line; do
			case $line in
			"ok "*) ok "${line#ok }"; got=$((got + 1)) ;;
			"not ok "*) not_ok "${line#not ok }"; got=$((got + 1)) ;;
			*) echo "$line" ;;
			esac
		done <"$TMP/render-results"
		[ "$got" -eq "$n" ] || { not_ok "render checks ($q): $got of $n ran"; sed 's/^/#   /' "$TMP/render-stderr" | tail -10; }
		rm -f "$TMP/render-checks.$q"
	done
}
