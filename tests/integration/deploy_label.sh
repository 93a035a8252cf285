# The default label of a git checkout: the commit alone unless the work
# tree has uncommitted changes in what goes into the bundle. An untracked
# build.log that .ebignore leaves out, or the bundle.zip that `ebctl bundle`
# wrote into the tree, adds no suffix; a changed, new or deleted bundled
# file does, and a note says which. The application is a folder of the
# repository, so git's paths (from the top) must be matched from there.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.3" shop shop-env
unset GITHUB_SHA TRAVIS_COMMIT CI_COMMIT_SHA

repo=$TMP/repo app=$TMP/repo/web
mkdir -p "$repo"
cp -r "$TMP/app" "$app"
printf 'build.log\n*.zip\n' >"$app/.ebignore"
echo 'print("hello")' >"$app/app.py"
git -C "$repo" init -q . &&
	git -C "$repo" add -A &&
	git -C "$repo" -c user.name=t -c user.email=t@example.com commit -q -m 'Ship it' ||
	{ not_ok "git repository"; finish; }
head=$(git -C "$repo" rev-parse --short=7 HEAD)

# label_of WHAT ARGS...: deploy --version-only (to an application of its
# own, so that labels never meet), the label it used in $label.
apps=0
label_of() {
	local what=$1; shift
	apps=$((apps + 1))
	expect_rc 0 "$what: version created" "$EBCTL" deploy --app "label$apps" --create --bucket rel \
		--version-only --format json "$@"
	label=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["label"])' "$TMP/out" 2>/dev/null)
}

echo 'a log line' >"$app/build.log"
expect_rc 0 "ebctl bundle writes bundle.zip into the tree" "$EBCTL" bundle -C "$app" -o "$app/bundle.zip"
expect_eq "$(git -C "$repo" status --porcelain | sort | tr '\n' ' ')" "?? web/build.log ?? web/bundle.zip " "the tree is dirty in git's eyes"
label_of "untracked files outside the bundle" -C "$app"
expect_eq "$label" "$head" "untracked files outside the bundle: the commit alone"
expect_not_err "uncommitted" "untracked files outside the bundle: no note"
label_of "the same with --all and .ebignore" -C "$app" --all
expect_eq "$label" "$head" "--all: build.log and bundle.zip are left out by .ebignore, so no suffix"

echo '# tuned' >>"$app/.ebextensions/01-health.config"
label_of "a changed bundled file" -C "$app"
case $label in "$head"-????????) ok "a changed bundled file: the commit and 8 characters of the bundle hash ($label)" ;;
*) not_ok "a changed bundled file: label '$label'" ;; esac
expect_err "label $label: the tree has uncommitted changes in 1 bundled file (.ebextensions/01-health.config)" "a changed bundled file: the note names it"
git -C "$repo" checkout -q -- web/.ebextensions

echo 'print("changed")' >"$app/app.py"
label_of "app.py changed, without --all" -C "$app"
expect_eq "$label" "$head" "app.py is not in the default bundle: no suffix"
label_of "app.py changed, with --all" -C "$app" --all
case $label in "$head"-????????) ok "app.py is in the --all bundle: suffix" ;; *) not_ok "app.py with --all: label '$label'" ;; esac
expect_err "uncommitted changes in 1 bundled file (app.py)" "--all: the note names app.py, not build.log or bundle.zip"
git -C "$repo" checkout -q -- web/app.py

rm "$app/.ebextensions/01-health.config"
label_of "a deleted bundled file" -C "$app"
case $label in "$head"-????????) ok "a deleted bundled file: suffix" ;; *) not_ok "a deleted bundled file: label '$label'" ;; esac
expect_err "uncommitted changes in 1 bundled file (.ebextensions/01-health.config)" "a deleted bundled file: the note names it"
git -C "$repo" checkout -q -- web/.ebextensions

git -C "$repo" mv web/app.py web/main.py
label_of "a renamed bundled file (--all)" -C "$app" --all
expect_err "uncommitted changes in 2 bundled files (app.py, main.py)" "a rename: both names count"
git -C "$repo" mv web/main.py web/app.py

# a prebuilt zip: its entries are the bundled paths
label_of "--bundle of the zip ebctl bundle wrote" --bundle "$app/bundle.zip" -C "$app"
expect_eq "$label" "$head" "--bundle: files outside the zip do not count"
finish
