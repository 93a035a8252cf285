# The man page: renders without warnings, documents every command, every
# flag of each `ebctl CMD --help`, every variable and exit code; and
# `make install` puts the binary, the man page and the completions in place.
. "$TESTS_DIR/lib.sh"
ROOT=$PWD
MAN=$ROOT/docs/ebctl.1

expect_rc 0 "groff -man -ww accepts docs/ebctl.1" groff -man -ww -z "$MAN"
expect_eq "$(cat "$TMP/err")" "" "groff prints no warnings"
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$MAN" >"$TMP/man.txt" 2>"$TMP/man.err"
expect_eq "$?" 0 "man -l renders the page"
expect_eq "$(cat "$TMP/man.err")" "" "man -l prints no warnings"
expect_eq "$(awk 'length > 80' "$TMP/man.txt" | head -3)" "" "no rendered line is wider than 80 columns"
for s in NAME SYNOPSIS DESCRIPTION "GLOBAL OPTIONS" COMMANDS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES; do
	grep -qx "$s" "$TMP/man.txt" && ok "section $s" || not_ok "no section $s"
done

# section TITLE: the rendered text of a section (^TITLE, subsections included)
# or of a subsection (^   TITLE).
section() {
	awk -v t="$1" '
		$0 == t { on = 1; top = 1; next }
		$0 == "   " t { on = 1; next }
		on && (/^[A-Z]/ || (!top && /^   [^ ]/)) { exit }
		on { print }' "$TMP/man.txt"
}
# flags CMD [Options:|Global options:]: the flags in that part of `ebctl CMD --help`.
flags() {
	"$EBCTL" "$1" --help | awk -v part="$2" '/^[A-Z].*:$/ { on = ($0 == part); next } on' |
		sed -n -e 's/^  -\([A-Za-z0-9]\), --\([A-Za-z0-9-]*\).*/-\1 --\2/p' -e 's/^      --\([A-Za-z0-9-]*\).*/--\1/p' |
		tr ' ' '\n'
}
has_flag() { grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)"; }

commands=$("$EBCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$commands" ] && ok "ebctl --help lists commands" || not_ok "no commands in ebctl --help"
for c in $commands; do
	text=$(section "ebctl $c")
	if [ -z "$text" ]; then not_ok "no subsection 'ebctl $c' under COMMANDS"; continue; fi
	missing=''
	for f in $(flags "$c" Options:); do has_flag "$f" <<<"$text" || missing="$missing $f"; done
	expect_eq "$missing" "" "'ebctl $c' documents every flag of its --help"
	missing=''
	for f in $(flags "$c" "Global options:"); do section "GLOBAL OPTIONS" | has_flag "$f" || missing="$missing $f"; done
	expect_eq "$missing" "" "GLOBAL OPTIONS documents every global flag of 'ebctl $c --help'"
done

env_text=$(section ENVIRONMENT)
missing=''
for c in $commands; do
	for v in $("$EBCTL" "$c" --help | grep -oE '\[[A-Z][A-Z0-9]*_[A-Z0-9_]+\]' | tr -d '[]'); do
		grep -qw -- "$v" <<<"$env_text" || missing="$missing $v"
	done
done
expect_eq "$missing" "" "ENVIRONMENT names every variable the option tables read"
if [ -r "$SHARED/DESIGN.md" ]; then
	missing=''
	for v in $(grep -oE '\b(AWS|EBCTL)_[A-Z0-9_]*[A-Z0-9]\b' "$SHARED/DESIGN.md" | sort -u); do
		grep -qw -- "$v" <<<"$env_text" || missing="$missing $v"
	done
	expect_eq "$missing" "" "ENVIRONMENT names every AWS_* and EBCTL_* variable of DESIGN.md"
else
	not_ok "cannot read $SHARED/DESIGN.md"
fi
exit_text=$(section "EXIT STATUS")
missing=''
for code in 0 1 2 3 4 5 6 130; do grep -qE "^ +$code( |\$)" <<<"$exit_text" || missing="$missing $code"; done
expect_eq "$missing" "" "EXIT STATUS explains 0 1 2 3 4 5 6 130"
for w in NO_COLOR --no-color terminal; do
	section "Colour and progress" | grep -qF -- "$w" && ok "the colour rule mentions $w" || not_ok "the colour rule does not mention $w"
done

# make install, without rebuilding the binary under test.
DEST=$TMP/root
expect_rc 0 "make install DESTDIR=... PREFIX=/usr" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$ROOT" -o "$EBCTL" install EBCTL="$EBCTL" DESTDIR="$DEST" PREFIX=/usr
for f in usr/bin/ebctl usr/share/man/man1/ebctl.1 usr/share/bash-completion/completions/ebctl \
	usr/share/zsh/site-functions/_ebctl; do
	[ -f "$DEST/$f" ] && ok "installs /$f" || not_ok "/$f not installed"
done
[ -x "$DEST/usr/bin/ebctl" ] && ok "the installed binary is executable" || not_ok "the installed binary is not executable"
cmp -s "$DEST/usr/share/man/man1/ebctl.1" "$MAN" && ok "the installed man page is docs/ebctl.1" || not_ok "the installed man page differs"
mkdir "$TMP/elsewhere"
expect_rc 0 "the installed ebctl runs init with no templates/ around" \
	sh -c 'cd "$1" && "$2" init --ci github' _ "$TMP/elsewhere" "$DEST/usr/bin/ebctl"
[ -f "$TMP/elsewhere/Dockerrun.aws.json" ] && [ -f "$TMP/elsewhere/.github/workflows/deploy.yml" ] &&
	ok "the installed ebctl wrote the template" || not_ok "the installed ebctl did not write the template"
finish
