#!/usr/bin/env bash
# The deploy step of the ebctl GitHub Action (action.yml), kept out of the
# YAML so that it can be run and tested with plain environment variables.
#
# Inputs (action.yml maps each `with:` input to one of these; empty = unset):
#   INPUT_APPLICATION_NAME   --app
#   INPUT_ENVIRONMENT_NAME   --env, once per name (comma or newline separated);
#                            none: --version-only (upload and create the version)
#   INPUT_AWS_REGION         --region
#   INPUT_VERSION_LABEL      --label
#   INPUT_BUCKET             --bucket
#   INPUT_BUCKET_PATH        --bucket-path
#   INPUT_ROLE_ARN           --role-arn (GitHub's OIDC token is exchanged for it)
#   INPUT_WAIT               true (default) or false: --no-wait
#   INPUT_TIMEOUT            --timeout
#   INPUT_HEALTHY            --healthy
#   INPUT_WORKING_DIRECTORY  -C
#   INPUT_CREATE_APPLICATION true or false (default): --create (the application
#   INPUT_CREATE_ENVIRONMENT   and the environments that are missing)
#   INPUT_PLATFORM           --platform
#   INPUT_OPTION_SETTINGS    --option-settings: inline JSON (written to a file) or a path
#   INPUT_CNAME_PREFIX       --cname
#   INPUT_TAGS               --tag, once per KEY=VALUE (comma or newline separated)
# Other variables: EBCTL (the binary; default `ebctl` on PATH), GITHUB_OUTPUT
# (where the outputs go; without it they are printed on stdout).
#
# Outputs: version-label, environment-url, environment-status and
# environment-health, read from `ebctl deploy --format json`; with several
# environments, the values are joined with commas in the order given.
# Exit status: ebctl's own (0 deployed and healthy, 4 failed, 5 unhealthy,
# 6 timed out...), after the outputs are written; 2 for a bad input.
set -uo pipefail

ebctl=${EBCTL:-ebctl}
args=(deploy --format json)

fail_input() { # NAME MESSAGE
	echo "::error title=ebctl action::input '$1' $2" >&2
	exit 2
}

add_flag() { # FLAG VALUE: add "FLAG VALUE" when VALUE is not empty
	if [ -n "$2" ]; then args+=("$1" "$2"); fi
}

add_flag --app "${INPUT_APPLICATION_NAME:-}"
add_flag --region "${INPUT_AWS_REGION:-}"
add_flag --label "${INPUT_VERSION_LABEL:-}"
add_flag --bucket "${INPUT_BUCKET:-}"
add_flag --bucket-path "${INPUT_BUCKET_PATH:-}"
add_flag --role-arn "${INPUT_ROLE_ARN:-}"
add_flag --timeout "${INPUT_TIMEOUT:-}"
add_flag --healthy "${INPUT_HEALTHY:-}"
add_flag -C "${INPUT_WORKING_DIRECTORY:-}"

case "${INPUT_WAIT:-true}" in
true | '') ;;
false) args+=(--no-wait) ;;
*) fail_input wait "must be true or false, not '${INPUT_WAIT}'" ;;
esac

check_bool() { # NAME VALUE: true, false or empty
	case "$2" in
	true | false | '') ;;
	*) fail_input "$1" "must be true or false, not '$2'" ;;
	esac
}
check_bool create-application "${INPUT_CREATE_APPLICATION:-}"
check_bool create-environment "${INPUT_CREATE_ENVIRONMENT:-}"
if [ "${INPUT_CREATE_APPLICATION:-}" = true ] || [ "${INPUT_CREATE_ENVIRONMENT:-}" = true ]; then
	create=1
fi
[ -n "${create:-}" ] && args+=(--create)
add_flag --platform "${INPUT_PLATFORM:-}"
add_flag --cname "${INPUT_CNAME_PREFIX:-}"
settings=${INPUT_OPTION_SETTINGS:-}
case "$settings" in
'') ;;
[[{]*) # inline JSON, as the official action takes it
	settings_file=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ebctl-settings.XXXXXX.json")
	printf '%s\n' "$settings" >"$settings_file"
	args+=(--option-settings "$settings_file") ;;
*) args+=(--option-settings "$settings") ;;
esac
while IFS= read -r tag; do
	tag=${tag#"${tag%%[![:space:]]*}"}
	tag=${tag%"${tag##*[![:space:]]}"}
	if [ -n "$tag" ]; then args+=(--tag "$tag"); fi
done < <(printf '%s\n' "${INPUT_TAGS:-}" | tr ',' '\n')

envs=()
while IFS= read -r name; do
	name=${name#"${name%%[![:space:]]*}"}  # trim both ends
	name=${name%"${name##*[![:space:]]}"}
	if [ -n "$name" ]; then envs+=("$name"); args+=(--env "$name"); fi
done < <(printf '%s\n' "${INPUT_ENVIRONMENT_NAME:-}" | tr ',' '\n')
if [ ${#envs[@]} -eq 0 ]; then args+=(--version-only); fi

result=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ebctl-deploy.XXXXXX.json")
trap 'rm -f "$result" ${settings_file:+"$settings_file"}' EXIT

echo "ebctl ${args[*]}" >&2
"$ebctl" "${args[@]}" >"$result"
rc=$?

# One value per output; for several environments, joined with commas in the
# order of environment-name. The result is
#   {"label": ..., "environments": [{"environment", "status", "health", "url", ...}]}
write_output() { # NAME VALUE
	local name=$1 value=$2 delim
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		delim="ebctl_$RANDOM$RANDOM"
		printf '%s<<%s\n%s\n%s\n' "$name" "$delim" "$value" "$delim" >>"$GITHUB_OUTPUT"
	else
		printf '%s=%s\n' "$name" "$value"
	fi
}

field() { # JQ-FIELD: the field of every environment of the result, comma-joined
	jq -r --arg f "$1" '[.environments[]? | .[$f] // "" | tostring] | join(",")' "$result" 2>/dev/null
}

if [ -s "$result" ] && jq -e 'type == "object"' "$result" >/dev/null 2>&1; then
	write_output version-label "$(jq -r '.label // ""' "$result")"
	write_output environment-url "$(field url)"
	write_output environment-status "$(field status)"
	write_output environment-health "$(field health)"
else
	echo "::warning title=ebctl action::ebctl deploy printed no result; outputs are empty" >&2
	for o in version-label environment-url environment-status environment-health; do
		write_output "$o" ""
	done
fi
exit "$rc"
