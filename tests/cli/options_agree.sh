# The option tables, --help, the man page and the completions agree: every
# row of every command's table (ebctl CMD --completion-helper) is in the
# command's --help, its man page section, and its bash and zsh completions;
# an alias (a Travis name) is accepted and in the man page only.
. "$TESTS_DIR/lib.sh"
ROOT=$PWD

"$EBCTL" --completion-helper >"$TMP/commands" || not_ok "ebctl --completion-helper"
ncmd=$(wc -l <"$TMP/commands")
[ "$ncmd" -gt 20 ] && ok "the command table has $ncmd commands" || not_ok "only $ncmd commands"
cut -f2 "$TMP/commands" >"$TMP/names"
if "$EBCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | cmp -s - "$TMP/names"; then
	ok "ebctl --help lists the commands of the table, in order"
else not_ok "ebctl --help and the command table differ"; fi
# the summary of each command is the table's, in both helps
while IFS=$'\t' read -r _ cmd summary; do
	"$EBCTL" "$cmd" --help >"$TMP/help"
	head -6 "$TMP/help" | grep -qxF -- "$summary" ||
		not_ok "$cmd: 'ebctl $cmd --help' has another summary than 'ebctl --help'"
done <"$TMP/commands"
ok "each command's --help has the summary 'ebctl --help' gives it"

# the man page's section of each command, hyphens unescaped
"$PYTHON" - "$ROOT/docs/ebctl.1" "$TMP/man" <<'PY'
import os, re, sys
man = open(sys.argv[1]).read()
os.makedirs(sys.argv[2], exist_ok=True)
for m in re.finditer(r'^\.SS "ebctl ([a-z]+)"\n(.*?)(?=^\.S[SH] |\Z)', man, re.S | re.M):
    open(os.path.join(sys.argv[2], m.group(1)), "w").write(m.group(2).replace("\\-", "-"))
PY
# the zsh completion's block of each command: from "\t\tCMD)" to ";;"
zsh_block() { sed -n "/^\t\t$1)\$/,/;;/p" "$ROOT/completions/_ebctl"; }
bash_flags() { sed -n "s/^\t$1) echo '\(.*\)' ;;\$/\1/p" "$ROOT/completions/ebctl.bash" | tr ' ' '\n'; }
has_flag() { grep -qE -- "(^|[^a-z0-9-])$1([^a-z0-9-]|\$)"; }

rows=0 bad=0 aliases=0
for cmd in $(cat "$TMP/names"); do
	[ -f "$TMP/man/$cmd" ] || { not_ok "$cmd: no section in docs/ebctl.1"; continue; }
	"$EBCTL" "$cmd" --help >"$TMP/help" 2>&1
	zsh_block "$cmd" >"$TMP/zsh"
	bash_flags "$cmd" >"$TMP/bash"
	# empty fields as "-": read collapses consecutive tabs
	"$EBCTL" "$cmd" --completion-helper | awk -F'\t' -v OFS='\t' '{ for (i = 1; i <= NF; i++) if ($i == "") $i = "-"; print }' >"$TMP/table"
	while IFS=$'\t' read -r kind long short arg _ _; do
		case $kind in option) ;; alias) ;; *) continue ;; esac
		[ "$short" = - ] && short=''
		[ "$arg" = - ] && arg=''
		flag=--$long
		if [ "$kind" = alias ]; then
			aliases=$((aliases + 1))
			has_flag "$flag" <"$TMP/man/$cmd" || { not_ok "$cmd $flag (alias): not in the man page"; bad=$((bad + 1)); }
			! has_flag "$flag" <"$TMP/help" || { not_ok "$cmd $flag (alias): listed in --help"; bad=$((bad + 1)); }
			! grep -qx -- "$flag" "$TMP/bash" || { not_ok "$cmd $flag (alias): completed by bash"; bad=$((bad + 1)); }
			! has_flag "$flag" <"$TMP/zsh" || { not_ok "$cmd $flag (alias): completed by zsh"; bad=$((bad + 1)); }
			# accepted: asking for its value, not calling it unknown
			[ -n "$arg" ] && "$EBCTL" "$cmd" "$flag" 2>"$TMP/err" >/dev/null
			grep -q "unknown option" "$TMP/err" && { not_ok "$cmd $flag (alias): refused"; bad=$((bad + 1)); }
			continue
		fi
		rows=$((rows + 1))
		has_flag "$flag" <"$TMP/help" || { not_ok "$cmd $flag: not in --help"; bad=$((bad + 1)); }
		has_flag "$flag" <"$TMP/man/$cmd" || { not_ok "$cmd $flag: not in its man page section"; bad=$((bad + 1)); }
		grep -qx -- "$flag" "$TMP/bash" || { not_ok "$cmd $flag: not in the bash completion"; bad=$((bad + 1)); }
		has_flag "$flag" <"$TMP/zsh" || { not_ok "$cmd $flag: not in the zsh completion"; bad=$((bad + 1)); }
		if [ -n "$short" ]; then
			grep -qx -- "-$short" "$TMP/bash" || { not_ok "$cmd -$short: not in the bash completion"; bad=$((bad + 1)); }
		fi
	done <"$TMP/table"
done
[ "$rows" -gt 200 ] && ok "$rows option rows checked" || not_ok "only $rows option rows"
[ "$aliases" -ge 3 ] && ok "$aliases aliases checked" || not_ok "only $aliases aliases"
[ "$bad" -eq 0 ] && ok "the tables, --help, the man page and the completions agree"
finish
