# The .ebignore matcher agrees with git: 300 seeded random trees and
# patterns (classes with escaped "]", unterminated "[", a trailing "\",
# ranges such as "[a-Z]", named classes) through `ebctl bundle --all`
# against `git check-ignore --no-index` (tests/cli/ebignore_diff.py).
# EBIGNORE_DIFF_SEED and EBIGNORE_DIFF_CASES pick another run.
. "$TESTS_DIR/lib.sh"

command -v git >/dev/null || { not_ok "git is needed for the differential"; finish; }
seed=${EBIGNORE_DIFF_SEED:-21} cases=${EBIGNORE_DIFF_CASES:-300}
"$PYTHON" "$TESTS_DIR/cli/ebignore_diff.py" "$EBCTL" "$TMP" "$cases" "$seed" >"$TMP/diff.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok "$(tail -1 "$TMP/diff.out")"
else not_ok "the matcher disagrees with git check-ignore --no-index"; sed 's/^/#   /' "$TMP/diff.out" | head -25; fi

# The cases the first differential found, one by one.
mkdir -p "$TMP/t" && cd "$TMP/t" || exit 1
git init -q .
echo '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128}]}' >Dockerrun.aws.json
for f in ']' 'a' 'b' '[' '[x' 'x\' 'Z' 'q'; do : >"$f"; done
check() { # PATTERN FILE WANT(in|out)
	printf '%s\n' "$1" >.ebignore
	"$EBCTL" bundle --all -o "$TMP/b.zip" >/dev/null 2>&1
	if "$PYTHON" -c 'import sys, zipfile; sys.exit(0 if sys.argv[2] in zipfile.ZipFile(sys.argv[1]).namelist() else 1)' "$TMP/b.zip" "$2"
	then got=in; else got=out; fi
	expect_eq "$got" "$3" "'$1' leaves '$2' $3 of the bundle as git does"
}
check '[\]]' ']' out
check '[a\]]' ']' out
check '[a\]]' a out
check '[!\]]' a out
check '[!\]]' ']' in
check '[x' '[x' in
check 'x\' 'x\' in
check '[a-Z]' Z in
check '[a-Z]' q in
finish
