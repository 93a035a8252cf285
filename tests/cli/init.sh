# ebctl init: writes the embedded templates, never overwrites without --force.
. "$TESTS_DIR/lib.sh"
T=$PWD/templates
version=$("$EBCTL" --version | awk '{print $2}')
# CI templates as init writes them: the version of the ebctl that runs it
expanded() { sed "s/@EBCTL_VERSION@/$version/g" "$T/$1"; }
umask 022
cd "$TMP" || exit 1   # no templates/ here: the files must come from the binary

expect_rc 0 "init into an empty directory" "$EBCTL" init -C app
expect_out "wrote app/Dockerrun.aws.json" "lists Dockerrun.aws.json"
expect_out "wrote app/.ebextensions/01-health.config" "lists the .ebextensions file"
expect_err "next: put your images in 'app/Dockerrun.aws.json'" "says what to do next"
for f in Dockerrun.aws.json .ebextensions/01-health.config; do
	if cmp -s "$T/multi-docker/$f" "app/$f"; then ok "app/$f is the template byte for byte"
	else not_ok "app/$f differs from templates/multi-docker/$f"; fi
done
expect_eq "$(stat -c %a app/Dockerrun.aws.json)" 644 "files are 0644 under umask 022"
expect_eq "$(find app -type f | wc -l | tr -d ' ')" 2 "nothing else written (the template README stays behind)"
expect_eq "$(find app -name '*.ebctl-*' | wc -l | tr -d ' ')" 0 "no temporary file left"

# What init writes is a deployable app: valid with no warning at all.
expect_rc 0 "the written Dockerrun passes ebctl validate --werror" "$EBCTL" validate --werror --format json app/Dockerrun.aws.json
expect_out '"warnings": 0' "the written Dockerrun has no warnings"
run "$PYTHON" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert isinstance(d.get("option_settings"), dict)' \
	app/.ebextensions/01-health.config
expect_eq "$rc" 0 "the .ebextensions example is YAML with option_settings"

# Existing files: name each, write nothing, exit 1.
echo '{"mine": true}' >app/Dockerrun.aws.json
rm -r app/.ebextensions
expect_rc 1 "init over an existing file" "$EBCTL" init -C app --ci github
expect_err "'app/Dockerrun.aws.json' exists" "names the existing file"
expect_err "1 file exists; nothing written (use --force to overwrite)" "says nothing was written"
expect_eq "$(cat app/Dockerrun.aws.json)" '{"mine": true}' "the existing file is untouched"
if [ -e app/.ebextensions ] || [ -e app/.github ]; then not_ok "other files were written despite the refusal"
else ok "no other file written after the refusal"; fi
expect_eq "$(wc -c <"$TMP/out" | tr -d ' ')" 0 "nothing listed as written"

expect_rc 0 "--force overwrites" "$EBCTL" init -C app --ci github --force
expect_out "overwrote app/Dockerrun.aws.json" "says which file it overwrote"
expect_out "wrote app/.github/workflows/deploy.yml" "writes the GitHub workflow"
if cmp -s "$T/multi-docker/Dockerrun.aws.json" app/Dockerrun.aws.json; then ok "--force restored the template"
else not_ok "--force did not write the template"; fi
if expanded github/deploy.yml | cmp -s - app/.github/workflows/deploy.yml; then ok "the workflow is templates/github/deploy.yml"
else not_ok "the workflow differs from templates/github/deploy.yml"; fi
expect_eq "$(grep -c "uses: <owner>/ebctl@v$version\$" app/.github/workflows/deploy.yml)" 1 \
	"the workflow pins the release that wrote it (v$version)"
if grep -q "@EBCTL_VERSION@" app/.github/workflows/deploy.yml; then not_ok "a version marker is left in the workflow"
else ok "no version marker left in the workflow"; fi
for p in "<owner>" role-arn application-name environment-name aws-region; do
	expect_err "$p" "the github next: hint names $p"
done
expect_err "next: in 'app/.github/workflows/deploy.yml', " "the hint names the workflow file"

mkdir tr && cd tr || exit 1
expect_rc 0 "--ci travis in the current directory" "$EBCTL" init --ci travis
expect_out "wrote .travis.yml" "lists .travis.yml"
if expanded travis/.travis.yml | cmp -s - .travis.yml; then ok ".travis.yml is templates/travis/.travis.yml"
else not_ok ".travis.yml differs from the template"; fi
expect_eq "$(grep -c "EBCTL_REF=v$version\$" .travis.yml)" 1 ".travis.yml pins the release that wrote it (v$version)"
for p in "<owner>" EBCTL_APP EBCTL_ENV EBCTL_REGION EBCTL_BUCKET AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
	expect_err "$p" "the travis next: hint names $p"
done
cd "$TMP" || exit 1

# Every placeholder left in a written workflow (<owner>, the example account
# 123456789012) is on a line whose key the next: hint names.
for ci in github:app/.github/workflows/deploy.yml travis:tr/.travis.yml; do
	f=${ci#*:} ci=${ci%%:*}
	(cd "$TMP" && "$EBCTL" init -C "ph-$ci" --ci "$ci" >/dev/null 2>"$TMP/hint-$ci") || not_ok "init --ci $ci"
	keys=$(grep -v '^ *#' "$TMP/ph-$ci/${f#*/}" | grep -E '<owner>|123456789012' |
		sed -E 's/^[ -]*([A-Za-z_-]+)[:=].*/\1/' | sort -u)
	[ -n "$keys" ] || not_ok "found no placeholders in the $ci workflow"
	for k in $keys; do
		grep -q -- "$k" "$TMP/hint-$ci" && ok "the $ci next: hint names the placeholder $k" ||
			not_ok "the $ci next: hint does not name $k: $(cat "$TMP/hint-$ci")"
	done
done

# The binary holds exactly templates/: every file there is written by some
# form of init (the app README aside), so a stale embedding fails here.
for f in $(cd "$T" && find . -type f | sed 's|^\./||'); do
	case "$f" in
	multi-docker/README.md) continue ;;
	multi-docker/*) got=app/${f#multi-docker/} ;;
	github/*) got=app/.github/workflows/${f#github/} ;;
	travis/*) got=tr/${f#travis/} ;;
	*) not_ok "templates/$f is written by no form of ebctl init"; continue ;;
	esac
	if expanded "$f" | cmp -s - "$got"; then ok "embedded templates/$f is current"
	else not_ok "embedded templates/$f is stale or missing (rebuild)"; fi
done

expect_rc 0 "--list" "$EBCTL" init --list
expect_out "multi-docker (default)" "--list names the default template"
expect_rc 2 "unknown template" "$EBCTL" init -C x --template nope
expect_err "no template named 'nope'; templates are: multi-docker" "unknown template lists the others"
expect_rc 2 "unknown CI" "$EBCTL" init -C x --ci gitlab
expect_err "--ci must be one of github,travis" "unknown CI names the choices"
expect_rc 2 "an operand is a usage error" "$EBCTL" init somewhere
[ -e x ] && not_ok "a refused init created its directory" || ok "a refused init creates nothing"
touch afile
expect_rc 1 "a parent that is a file" "$EBCTL" init -C afile/sub
expect_err "'afile' is not a directory" "names the parent that is not a directory"
mkdir -p d/Dockerrun.aws.json
expect_rc 1 "a directory in the way, even with --force" "$EBCTL" init -C d --force
expect_err "cannot write 'd/Dockerrun.aws.json': it is a directory" "names the directory in the way"
finish
