# Every real-world file in $SHARED/testdata/dockerrun/real judged as its
# MANIFEST.tsv says; where the verdict depends on a companion Dockerfile or
# docker-compose.yml, the file is checked alone and next to one.
. "$TESTS_DIR/lib.sh"
real=$SHARED/testdata/dockerrun/real
[ -f "$real/MANIFEST.tsv" ] || { not_ok "no $real/MANIFEST.tsv"; finish; }

# Invalid files: the rule that must be among the errors (from the manifest's reasons).
declare -A want_rule=(
	[001-0426abhishek-multi-docker.json]=containers-empty
	[017-247521776-vehicles-monitoring-app.json]=link-target
	[034-Dynora-eb-multi-docker-poc.json]=name-duplicate
	[042-khy-old-granmal.com.json]=json-syntax
)

# file<TAB>verdict, quotes of the TSV removed
"$PYTHON" -c '
import csv, sys
for row in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    print(row["file"] + "\t" + row["verdict"] + "\t" + row["git_blob"])
' "$real/MANIFEST.tsv" >"$TMP/manifest"
n=0
while IFS=$'\t' read -r file verdict blob; do
	n=$((n + 1))
	f=$real/$file
	expect_eq "$(git hash-object "$f")" "$blob" "$file: content is the manifest's git blob"
	case "$verdict" in
	"valid next to a "*)
		companion=${verdict#valid next to a }; companion=${companion%% *}
		rule=${verdict##*alone: invalid, }
		d=$TMP/bundle-$n; mkdir -p "$d"
		cp "$f" "$d/Dockerrun.aws.json"
		expect_rc 1 "$file alone is invalid" "$EBCTL" validate --format json "$d/Dockerrun.aws.json"
		expect_out "\"rule\": \"$rule\"" "$file alone: $rule"
		case "$companion" in
		Dockerfile) printf 'FROM scratch\nEXPOSE 8080\n' >"$d/Dockerfile" ;;
		docker-compose.yml) printf 'services:\n  web:\n    image: nginx:1.25\n' >"$d/docker-compose.yml" ;;
		*) not_ok "$file: unknown companion '$companion'"; continue ;;
		esac
		expect_rc 0 "$file next to a $companion is valid" "$EBCTL" validate "$d/Dockerrun.aws.json"
		case "$verdict" in *"v3-shape warning"*) expect_out "[v3-shape]" "$file: the ignored keys are a v3-shape warning" ;; esac
		;;
	valid*)
		expect_rc 0 "$file is valid" "$EBCTL" validate "$f"
		;;
	invalid*)
		expect_rc 1 "$file is invalid" "$EBCTL" validate --format json "$f"
		if [ -n "${want_rule[$file]:-}" ]; then
			expect_out "\"rule\": \"${want_rule[$file]}\"" "$file: ${want_rule[$file]} ($verdict)"
		else
			not_ok "$file: no expected rule listed for '$verdict'"
		fi
		;;
	*) not_ok "$file: verdict '$verdict' not understood" ;;
	esac
done <"$TMP/manifest"
expect_eq "$n" "$(($(wc -l <"$real/MANIFEST.tsv") - 1))" "every manifest row was checked"

# 001 misspells containerDefinitions; the manifest's notes name the typo in a
# container under it, which one run must report along with the key
f=$real/001-0426abhishek-multi-docker.json
run "$EBCTL" validate "$f"
expect_out "$f:3:2: warning: unknown key 'containerDefintions' in the top level (version 2); did you mean 'containerDefinitions'? [unknown-key]" "001: the misspelt key, with a did-you-mean"
expect_out "$f:3:2: error: 'containerDefinitions' is missing" "001: Elastic Beanstalk sees no containers"
expect_out "$f:29:4: warning: unknown key 'portMapping' in a container definition; did you mean 'portMappings'? [unknown-key]" "001: the containers under the misspelt key are checked too"

# every diagnostic points at the value its JSON pointer names
"$EBCTL" validate --format json "$real"/*.json >"$TMP/report.json"
if "$PYTHON" "$TESTS_DIR/cli/check_positions.py" "$TMP/report.json" >"$TMP/pos"; then ok "real files: $(tail -1 "$TMP/pos")"
else not_ok "real files: positions"; sed 's/^/#   /' "$TMP/pos" | head -20; fi
finish
