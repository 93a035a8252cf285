# ebctl validate through the binary: exit codes, stdout and stderr of the
# text, json and github forms; stdin, several files, --werror, hostile input.
. "$TESTS_DIR/lib.sh"
V() { "$EBCTL" validate "$@"; }
json_get() { "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/out" "$@"; }

mkdir -p "$TMP/ok" "$TMP/bad"
cat >"$TMP/ok/Dockerrun.aws.json" <<'J'
{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {"name": "web", "image": "nginx:1.25", "memory": 128,
     "portMappings": [{"hostPort": 80, "containerPort": 80}], "links": ["api"]},
    {"name": "api", "image": "acme/api:1.0", "memoryReservation": 256}
  ]
}
J
cat >"$TMP/bad/Dockerrun.aws.json" <<'J'
{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {"name": "web", "image": "nginx:1.25", "memory": 128,
     "portMappings": [{"hostPort": 80, "containerPort": 80}], "links": ["db"]},
    {"name": "api", "image": "acme/api", "memory": "256"}
  ]
}
J
OK=$TMP/ok/Dockerrun.aws.json BAD=$TMP/bad/Dockerrun.aws.json

# usage
mkdir -p "$TMP/empty"
(cd "$TMP/empty" && V) >"$TMP/out" 2>"$TMP/err"; rc=$?
expect_eq "$rc" "2" "no FILE and no ./Dockerrun.aws.json is a usage error"
expect_err "ebctl validate: no FILE given and no Dockerrun.aws.json here" "no FILE names the problem"
expect_err "See 'ebctl validate --help'." "usage error gives a hint"
(cd "$TMP/ok" && V) >"$TMP/out" 2>"$TMP/err"; rc=$?
expect_eq "$rc" "0" "no FILE validates ./Dockerrun.aws.json"
expect_err "'Dockerrun.aws.json' is valid" "and names it"
(cd "$TMP/bad" && V) >"$TMP/out" 2>"$TMP/err"; rc=$?
expect_eq "$rc" "1" "no FILE with a broken ./Dockerrun.aws.json exits 1"
expect_rc 0 "a directory means the Dockerrun.aws.json in it" V "$TMP/ok"
expect_err "'$TMP/ok/Dockerrun.aws.json' is valid" "the file in the directory is named"
expect_rc 1 "a directory without one" V "$TMP/empty"
expect_err "$TMP/empty/Dockerrun.aws.json" "names the file it looked for"
expect_rc 2 "unknown flag" V --frob "$OK"
expect_rc 2 "unknown format" V --format xml "$OK"
expect_rc 2 "markdown is only for --list-rules" V --format markdown "$OK"
expect_err "--format markdown is only for --list-rules" "markdown without --list-rules: says so"
expect_rc 2 "unknown format: usage error" V --format xml "$OK"
expect_err "--format must be one of text,json,github, not 'xml'" "unknown format: lists the formats that work on files"
run V --help
expect_out "output format (text,json,github; with --list-rules: text,json,markdown)" "--help says markdown is for --list-rules"
expect_rc 0 "--help" V --help
expect_out "--werror" "--help lists --werror"

# text
expect_rc 0 "a valid file" V "$OK"
expect_eq "$(cat "$TMP/out")" "" "a valid file prints no diagnostics"
expect_err "ebctl: '$OK' is valid" "a valid file is confirmed on stderr"
expect_rc 0 "--quiet silences the confirmation" "$EBCTL" -q validate "$OK"
expect_eq "$(cat "$TMP/err")" "" "--quiet: nothing on stderr"
expect_rc 1 "an invalid file" V "$BAD"
expect_out "$BAD:5:73: error: link 'db' of container 'web' names no container; containers are: api, web [link-target]" "text: link-target with position and alternatives"
expect_out "$BAD:6:52: error: 'memory' of container 'api' must be a number of MiB, not a string: write 256, not \"256\" [type]" "text: memory as a string is a type error"
expect_not_out "[memory-missing]" "text: memory as a string is not called missing"
expect_out "$BAD:6:30: warning: image 'acme/api' of container 'api' has no tag" "text: warnings too"
expect_err "ebctl: '$BAD' has 2 errors and 1 warning" "text: summary on stderr"
first=$(head -1 "$TMP/out")
expect_eq "${first%%: *}" "$BAD:5:73" "diagnostics are sorted by position"

# json
expect_rc 1 "json: invalid file" V --format json "$OK" "$BAD"
expect_eq "$(json_get 'len(d)')" "2" "json: one object per file"
expect_eq "$(json_get 'd[0]["valid"], d[1]["valid"]')" "(True, False)" "json: valid flags"
expect_eq "$(json_get 'd[1]["errors"], d[1]["warnings"], d[1]["version"]')" "(2, 1, 2)" "json: counts and version"
expect_eq "$(json_get '[(x["rule"], x["line"], x["column"], x["pointer"]) for x in d[1]["diagnostics"] if x["severity"] == "error"]')" \
	"[('link-target', 5, 73, '/containerDefinitions/0/links/0'), ('type', 6, 52, '/containerDefinitions/1/memory')]" \
	"json: rule, line, column, pointer"
expect_eq "$(json_get 'sorted(d[1]["diagnostics"][0].keys())')" "['column', 'line', 'message', 'pointer', 'rule', 'severity']" "json: diagnostic fields"
expect_eq "$(cat "$TMP/err")" "" "json: nothing on stderr"

# github
expect_rc 1 "github: invalid file" V --format github "$BAD"
expect_out "::error file=$BAD,line=5,col=73,title=link-target::link 'db' of container 'web' names no container; containers are: api, web [link-target]" "github: error annotation, titled with the rule id"
expect_out "::warning file=$BAD,line=6,col=30,title=image-latest::image 'acme/api'" "github: warning annotation"
GITHUB_ACTIONS=true expect_rc 1 "GITHUB_ACTIONS=true picks github when stdout is not a terminal" env GITHUB_ACTIONS=true "$EBCTL" validate "$BAD"
expect_out "::error file=$BAD,line=5,col=73,title=link-target::" "github: picked automatically"
expect_rc 1 "--format text overrides GITHUB_ACTIONS" env GITHUB_ACTIONS=true "$EBCTL" validate --format text "$BAD"
expect_out "$BAD:5:73: error:" "text when asked for"
# stdout on a terminal (script(1) of util-linux gives it one): text even so
if command -v script >/dev/null 2>&1; then
	expect_rc 1 "GITHUB_ACTIONS=true with stdout on a terminal" \
		env GITHUB_ACTIONS=true NO_COLOR=1 script -qec "'$EBCTL' validate '$BAD'" /dev/null
	expect_out "$BAD:5:73: error: link 'db'" "GITHUB_ACTIONS=true on a terminal: text"
	expect_not_out "::error" "GITHUB_ACTIONS=true on a terminal: no workflow commands"
else
	ok "# SKIP script(1) is not installed: GITHUB_ACTIONS=true on a terminal"
fi

# stdin, several files, --werror
run sh -c "cd '$TMP/ok' && '$EBCTL' validate - <'$BAD'"
expect_eq "$rc" 1 "stdin: exit 1 for an invalid file"
expect_out "<stdin>:5:73: error: link 'db'" "stdin is reported as <stdin>"
run sh -c "'$EBCTL' validate - <'$OK'"
expect_eq "$rc" 0 "stdin: exit 0 for a valid file"
expect_rc 2 "stdin twice is a usage error" sh -c "'$EBCTL' validate - - <'$OK'"
expect_err "ebctl validate: standard input ('-') can be read only once" "stdin twice is refused"
expect_eq "$(cat "$TMP/out")" "" "stdin twice: nothing is checked"
expect_rc 2 "stdin twice among files" sh -c "'$EBCTL' validate - '$OK' - <'$OK'"
expect_rc 1 "several files: one bad makes exit 1" V "$OK" "$BAD" "$OK"
expect_err "'$OK' is valid" "several files: the good one is confirmed"
expect_out "$BAD:5:73" "several files: the bad one is reported"
cat >"$TMP/ok/warn.json" <<'J'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
 {"name": "web", "image": "nginx", "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}
J
expect_rc 0 "warnings alone exit 0" V "$TMP/ok/warn.json"
expect_out "[image-latest]" "the warning is printed"
expect_rc 1 "--werror makes warnings fail" V --werror "$TMP/ok/warn.json"
expect_err "ebctl: '$TMP/ok/warn.json' fails with --werror: 1 warning" "--werror: the summary says the file fails"
expect_not_err "is valid" "--werror: the summary does not call it valid"
expect_rc 1 "--werror in json marks the file invalid" V --werror --format json "$TMP/ok/warn.json"
expect_eq "$(json_get 'd[0]["valid"]')" "False" "--werror: valid is false"

# a file name that is not UTF-8: JSON keeps the "file" field (U+FFFD for the
# bad byte), in a message quoting the name too, and for a file not found
bad8=$TMP/$'\xff'dir; mkdir -p "$bad8"
printf '{"AWSEBDockerrunVersion": 1, "Ports": [{"ContainerPort": 80}]}' >"$bad8/Dockerrun.aws.json"
expect_rc 1 "json: a file name that is not UTF-8" V --format json "$bad8/Dockerrun.aws.json" "$bad8/nope.json"
expect_eq "$(json_get '[f["file"] == sys.argv[3] + "/\ufffddir/" + n for f, n in zip(d, ("Dockerrun.aws.json", "nope.json"))]' "$TMP")" "[True, True]" "json: the file field is there, the bad byte replaced"
expect_eq "$(json_get '"\ufffddir" in d[0]["diagnostics"][0]["message"]')" "True" "json: a message quoting the name is valid UTF-8"

# unreadable input
expect_rc 1 "a missing file" V "$TMP/nope.json"
expect_err "ebctl: cannot open '$TMP/nope.json': No such file or directory" "a missing file is named"
expect_rc 1 "json: a missing file" V --format json "$OK" "$TMP/nope.json"
expect_eq "$(json_get '[(f["valid"], f.get("error")) for f in d]')" "[(True, None), (False, 'No such file or directory')]" "json: an unreadable file is an entry with its error"
expect_rc 1 "a missing file among good ones still checks the others" V "$OK" "$TMP/nope.json"
expect_err "'$OK' is valid" "the good file was checked"

# hostile input: each gets one clear json-syntax error, never a crash
h=$TMP/hostile; mkdir -p "$h"
: >"$h/empty.json"
head -c 4096 /dev/urandom >"$h/garbage.json"; printf '\x00\x01' >>"$h/garbage.json"
printf '{"AWSEBDockerrunVersion": 9223372036854775809}' >"$h/big.json"
printf '{"AWSEBDockerrunVersion": 2, "x": "\xff\xfe"}' >"$h/utf8.json"
"$PYTHON" -c 'import sys; n=500000; sys.stdout.write("["*n + "]"*n)' >"$h/deep.json"
"$PYTHON" -c 'import sys; n=50*1024*1024; sys.stdout.write("["*n + "]"*n)' >"$h/deep100m.json"
for f in empty garbage big utf8 deep; do
	expect_rc 1 "hostile input: $f" V "$h/$f.json"
	expect_out "[json-syntax]" "hostile input $f: a json-syntax error"
done
expect_out "$h/deep.json:1:2049: error: invalid JSON: maximum parsing depth reached" "deep nesting stops at depth 2048"
expect_rc 1 "100 MB of nesting" V "$h/deep100m.json"
expect_err "ebctl: '$h/deep100m.json' is larger than 8 MiB" "100 MB: refused by size, clearly"
run V "$h/empty.json"; expect_out "$h/empty.json:1:1: error: file is empty" "empty file: says so"
run V "$h/big.json"; expect_out "too big integer" "2^63+1: too big integer"
run V "$h/utf8.json"; expect_out "unable to decode byte 0xff" "invalid UTF-8: named"
printf '{"AWSEBDockerrunVersion": 2}\n\0' >"$h/nul.json"
expect_rc 1 "a trailing NUL byte" V "$h/nul.json"
expect_out "$h/nul.json:2:1: error: invalid JSON: a NUL byte at line 2, column 1 (binary data, or a file saved as UTF-16?) [json-syntax]" "a trailing NUL byte is named, not called the end of the file"

# a trailing comma is pointed at where the comma is, not at the bracket after it
printf '{"AWSEBDockerrunVersion": 2,\n "containerDefinitions": [],\n}\n' >"$h/comma-object.json"
expect_rc 1 "a trailing comma in an object" V "$h/comma-object.json"
expect_out "$h/comma-object.json:2:28: error: invalid JSON: trailing comma before '}': JSON allows no comma after the last member [json-syntax]" "trailing comma in an object: at the comma"
printf '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [1,2,\n\t]}' >"$h/comma-array.json"
expect_rc 1 "a trailing comma in an array" V "$h/comma-array.json"
expect_out "$h/comma-array.json:1:58: error: invalid JSON: trailing comma before ']'" "trailing comma in an array: at the comma, over the line end"
printf '{"a": [1,,2]}' >"$h/comma-double.json"
run V "$h/comma-double.json"; expect_not_out "trailing comma" "two commas in a row are not called a trailing comma"

# a value of the wrong type is reported once, as a type error, with no
# claims that follow from it
cat >"$h/string-port.json" <<'J'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
 {"name": "web", "image": "nginx:1.25", "memory": 128,
  "portMappings": [{"hostPort": "80", "containerPort": 80}]}]}
J
expect_rc 1 "hostPort as a string" V "$h/string-port.json"
expect_out "$h/string-port.json:3:33: error: 'hostPort' of container 'web' must be an integer from 0 to 65535 (0 = dynamic), not a string [type]" "hostPort as a string: a type error"
expect_not_out "[no-port-80]" "hostPort as a string: no claim that nothing maps port 80"
expect_err "has 1 error and 0 warnings" "hostPort as a string: one diagnostic in all"
sed 's/"hostPort": "80"/"hostPort": 8080/' "$h/string-port.json" >"$h/port-8080.json"
run V "$h/port-8080.json"; expect_out "[no-port-80]" "a real host port other than 80 still gets no-port-80"

# duplicate keys are reported, a BOM and CRLF are fine
printf '\xef\xbb\xbf{\r\n"AWSEBDockerrunVersion": 2,\r\n"containerDefinitions": [{"name": "web", "image": "nginx:1", "memory": 64, "memory": 128,\r\n "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}' >"$h/dup.json"
expect_rc 0 "duplicate keys: a warning" V "$h/dup.json"
expect_out "$h/dup.json:3:76: warning: duplicate key 'memory' (first at line 3, column 62): only the last value counts [duplicate-key]" "duplicate key with both places, after BOM and CRLF"

# the README's sample is what ebctl prints for tests/cli/readme-Dockerrun.aws.json
mkdir -p "$TMP/readme"
cp "$TESTS_DIR/cli/readme-Dockerrun.aws.json" "$TMP/readme/Dockerrun.aws.json"
want=$(sed -n '/^\$ ebctl validate Dockerrun.aws.json$/,/^```$/p' "$TESTS_DIR/../README.md" | sed '1d;$d')
got=$(cd "$TMP/readme" && "$EBCTL" validate Dockerrun.aws.json 2>&1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "README: the validate sample is real output"
else not_ok "README: the validate sample differs from the output"; diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'; fi

# the rule reference
expect_rc 0 "--list-rules" V --list-rules
expect_out "link-cycle" "--list-rules lists link-cycle"
expect_rc 0 "--list-rules json" V --list-rules --format json
expect_eq "$(json_get 'all(r["severity"] in ("error", "warning") for r in d) and len(d) > 40')" "True" "--list-rules json parses"
expect_rc 2 "--list-rules github" V --list-rules --format github
expect_rc 2 "--list-rules with a file" V --list-rules "$OK"
run V --list-rules --format markdown
if diff -u "$TESTS_DIR/../docs/dockerrun-rules.md" "$TMP/out" >"$TMP/diff"; then ok "docs/dockerrun-rules.md is up to date"
else not_ok "docs/dockerrun-rules.md differs from the generated one (make docs/dockerrun-rules.md)"; head -20 "$TMP/diff" | sed 's/^/#   /'; fi
finish
