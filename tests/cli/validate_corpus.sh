# Every file of $SHARED/testdata/dockerrun/corpus: handled without a crash
# (exit 0 or 1, never a signal), and judged as tests/cli/corpus-verdicts.tsv
# (reviewed in docs/corpus-review.md) says: the verdict and the error rules.
. "$TESTS_DIR/lib.sh"
corpus=$SHARED/testdata/dockerrun/corpus
verdicts=$TESTS_DIR/cli/corpus-verdicts.tsv
n=0
for f in "$corpus"/*.json; do
	b=$(basename "$f")
	row=$(awk -F'\t' -v f="$b" '$1 == f' "$verdicts")
	if [ -z "$row" ]; then not_ok "$b: no row in corpus-verdicts.tsv"; continue; fi
	n=$((n + 1))
	want_verdict=$(printf '%s' "$row" | cut -f2)
	want_rules=$(printf '%s' "$row" | cut -f3)
	run "$EBCTL" validate --format json "$f"
	case $rc in
	0 | 1) ok "$b: no crash (exit $rc)" ;;
	*) not_ok "$b: exit $rc"; sed 's/^/#   /' "$TMP/err" | head; continue ;;
	esac
	got=$("$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1]))[0]
errs = sorted({d["rule"] for d in r["diagnostics"] if d["severity"] == "error"})
print(("valid" if r["valid"] else "invalid") + "\t" + (",".join(errs) or "-"))
' "$TMP/out")
	expect_eq "$got" "$want_verdict	$want_rules" "$b: $want_verdict ($want_rules)"
	if [ "$want_verdict" = valid ]; then want_rc=0; else want_rc=1; fi
	expect_eq "$rc" "$want_rc" "$b: exit status agrees with the verdict"
done
expect_eq "$n" "$(($(wc -l <"$verdicts") - 1))" "every row of corpus-verdicts.tsv names a corpus file"

# invalid only for want of a companion file: valid next to one
for pair in 022:Dockerfile 023:Dockerfile 025:Dockerfile 028:Dockerfile 057:Dockerfile \
	011:docker-compose.yml 038:docker-compose.yml; do
	num=${pair%%:*} companion=${pair#*:}
	d=$TMP/companion-$num; mkdir -p "$d"
	cp "$corpus/$num"-*.json "$d/Dockerrun.aws.json"
	expect_rc 1 "$num alone is invalid" "$EBCTL" validate "$d/Dockerrun.aws.json"
	: >"$d/$companion"
	expect_rc 0 "$num next to a $companion is valid" "$EBCTL" validate "$d/Dockerrun.aws.json"
done

# every diagnostic points at the value its JSON pointer names
"$EBCTL" validate --format json "$corpus"/*.json >"$TMP/report.json"
if "$PYTHON" "$TESTS_DIR/cli/check_positions.py" "$TMP/report.json" >"$TMP/pos"; then ok "corpus: $(tail -1 "$TMP/pos")"
else not_ok "corpus: positions"; sed 's/^/#   /' "$TMP/pos" | head -20; fi
finish
