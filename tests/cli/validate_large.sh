# ebctl validate on very large hostile files: time and output stay linear
# (each case took minutes, or tens of minutes, before). Kept apart from
# validate.sh so that the valgrind stage can leave these out: they test
# growth, not memory errors, and under valgrind each takes minutes.
. "$TESTS_DIR/lib.sh"
V() { "$EBCTL" validate "$@"; }
h=$TMP/large; mkdir -p "$h"

# a million copies of one key (6 MB): found in n log n, the first 20 listed and
# one more line counting the rest (reporting each copy against all the earlier
# ones took tens of minutes, past the test runner's timeout)
"$PYTHON" -c '
import sys
n = 1000000
sys.stdout.write("{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [{\"name\": \"web\", "
    "\"image\": \"nginx:1.25\", \"memory\": 128, \"portMappings\": [{\"hostPort\": 80, "
    "\"containerPort\": 80}]}]" + ",\"k\":1" * n + "}")' >"$h/dupmany.json"
expect_rc 0 "a million duplicate keys: warnings only" V "$h/dupmany.json"
expect_eq "$(grep -c '\[duplicate-key\]$' "$TMP/out")" 21 "a million duplicate keys: 20 listed and one count"
expect_out "$h/dupmany.json:1:293: warning: duplicate key 'k' (first at line 1, column 167): only the last value counts; 999978 more duplicate keys follow, not listed one by one [duplicate-key]" "a million duplicate keys: the rest are counted"
expect_eq "$(grep -c '\[unknown-key\]$' "$TMP/out")" 1 "a million duplicate keys: only the copy that counts is an unknown key"

# 300,000 log options that are not strings: each was looked up by a walk
# through all of them, now the options are walked once
"$PYTHON" -c '
import sys
sys.stdout.write("{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [{\"name\": \"w\", "
    "\"image\": \"a:1\", \"memory\": 9, \"logConfiguration\": {\"logDriver\": \"awslogs\", "
    "\"options\": {" + ",".join("\"o%d\": 1" % i for i in range(300000)) + "}}}]}")' >"$h/logopts.json"
expect_rc 1 "300,000 log options that are not strings" V "$h/logopts.json"
expect_eq "$(grep -c "must be a string, not an integer \[log-driver\]$" "$TMP/out")" 300000 "log options: each is reported"

# more large inputs that stay linear in time and output: a chain of 100,000
# containers that all link back to the first (each cycle was printed in full,
# and walked again for volumesFrom), a 1 MB container name in 100,000 host
# port clashes, 100,000 containers called 'a' and 400,000 links to none of
# them (the list of names was rebuilt for each)
"$PYTHON" - "$h" <<'PY'
import json, sys
h = sys.argv[1]
H = '{"AWSEBDockerrunVersion": 2, "containerDefinitions": ['
def c(name, extra=""):
    return '{"name": "%s", "image": "a:1", "memory": 9%s}' % (name, extra)
n = 100000
open(h + "/chain.json", "w").write(H + ",".join(
    c("c%d" % i, ', "links": %s' % json.dumps(["c%d" % ((i + 1) % n)] + (["c0"] if 0 < i < n - 1 else [])))
    for i in range(n)) + "]}")
clash = ', "portMappings": [{"containerPort": 1, "hostPort": 80}]'
open(h + "/longname.json", "w").write(H + c("x" * 1000000, clash) + "," + c("y", ', "portMappings": [' + ",".join(
    '{"containerPort": %d, "hostPort": 80}' % (i + 1) for i in range(n)) + "]") + "]}")
open(h + "/badlinks.json", "w").write(H + ",".join([c("a")] * n) + "," +
    c("l", ', "links": ' + json.dumps(["zz"] * 400000)) + "]}")
PY
expect_rc 1 "100,000 containers in a chain of links" V "$h/chain.json"
expect_eq "$(grep -c '\[link-cycle\]$' "$TMP/out")" 99999 "chain: every back link closes a cycle"
expect_out "error: links form a cycle: c0 -> c1 -> c2 -> c3 -> ... (99992 more) -> c99996 -> c99997 -> c99998 -> c99999 -> c0 [link-cycle]" "chain: a long cycle is printed with its ends"
expect_eq "$(awk 'length > 300' "$TMP/out" | wc -l)" 0 "chain: every line is short"
expect_rc 1 "a 1 MB container name in 100,000 host port clashes" V "$h/longname.json"
expect_eq "$(grep -c '\[host-port-clash\]$' "$TMP/out")" 100000 "long name: every clash is reported"
expect_eq "$(grep '\[host-port-clash\]$' "$TMP/out" | awk 'length > 600' | wc -l)" 0 "long name: cut in the clash messages"
expect_rc 1 "400,000 links to none of 100,000 containers" V "$h/badlinks.json"
expect_eq "$(grep -c "containers are: a, l \[link-target\]$" "$TMP/out")" 400000 "bad links: each names the containers"
finish
