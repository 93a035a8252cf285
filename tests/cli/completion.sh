# Shell completions: current with the binary's option tables, and offering
# every flag each `ebctl CMD --help` prints.
. "$TESTS_DIR/lib.sh"
ROOT=$PWD

# The committed files are what `make completions` writes for this binary.
mkdir -p "$TMP/gen"
expect_rc 0 "the generator runs" "$PYTHON" "$ROOT/mk/gen-completions.py" "$EBCTL" "$TMP/gen"
for f in ebctl.bash _ebctl; do
	if cmp -s "$TMP/gen/$f" "$ROOT/completions/$f"; then ok "completions/$f is current"
	else not_ok "completions/$f is stale: run 'make completions'"; diff "$ROOT/completions/$f" "$TMP/gen/$f" | head -20 | sed 's/^/#   /'; fi
done

# complete WORD...: what bash offers for the last word of "ebctl WORD...".
complete() {
	bash -c '. "$1/completions/ebctl.bash"; shift; COMP_WORDS=(ebctl "$@"); COMP_CWORD=$#; _ebctl
		printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT" "$@" 2>"$TMP/comp-err"
}
# flags CMD: every flag in the option lines of `ebctl CMD --help`.
flags() {
	"$EBCTL" "$1" --help | sed -n -e 's/^  -\([A-Za-z0-9]\), --\([A-Za-z0-9-]*\).*/-\1 --\2/p' \
		-e 's/^      --\([A-Za-z0-9-]*\).*/--\1/p' | tr ' ' '\n'
}

commands=$("$EBCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$commands" ] && ok "ebctl --help lists commands" || not_ok "no commands in ebctl --help"
offered=$(complete '')
for c in $commands; do
	grep -qx -- "$c" <<<"$offered" && ok "bash offers command $c" || not_ok "bash does not offer command $c"
done
for c in $commands; do
	offered=$(complete "$c" -)
	missing=''
	for f in $(flags "$c"); do grep -qx -- "$f" <<<"$offered" || missing="$missing $f"; done
	expect_eq "$missing" "" "bash offers every flag of 'ebctl $c --help'"
	missing=''
	for f in $(flags "$c"); do grep -qF -- "$f" "$ROOT/completions/_ebctl" || missing="$missing $f"; done
	expect_eq "$missing" "" "zsh knows every flag of 'ebctl $c --help'"
done
expect_eq "$(complete --debug in)" "init" "global flags before the command are skipped"
expect_eq "$(complete help val)" "validate" "help completes command names"
expect_eq "$(complete init --ci '' | tr '\n' ' ')" "github travis " "choices complete from the help's list"
expect_eq "$(complete validate --format '' | tr '\n' ' ')" "text json github " "validate --format offers what works on files"
expect_eq "$(complete validate --list-rules -f '' | tr '\n' ' ')" "text json markdown " "after --list-rules, what works for the rule reference"
mkdir -p "$TMP/cwd/somedir" && touch "$TMP/cwd/somefile"
expect_eq "$(cd "$TMP/cwd" && complete init -C some)" "somedir" "a DIR value completes directories only"
expect_eq "$(complete init --template '')" "" "a free value offers no flags"
expect_eq "$(complete sign --time '')" "" "a value placeholder wider than the column is still a value"
expect_eq "$(complete deploy --only-create-app-version --version-)" "--version-only" "a flag wider than the column takes no value"
expect_eq "$(wc -c <"$TMP/comp-err" | tr -d ' ')" 0 "completion prints no errors"

if command -v zsh >/dev/null; then
	expect_rc 0 "completions/_ebctl is valid zsh" zsh -n "$ROOT/completions/_ebctl"
else
	not_ok "zsh is not installed (ci/install-deps installs it)"
fi
expect_eq "$(head -1 "$ROOT/completions/_ebctl")" "#compdef ebctl" "the zsh file starts with #compdef"
finish
