# More than 65,535 entries: the zip64 end records, read by Info-ZIP and by
# Python's zipfile. Apart from bundle_parallel.sh so that the valgrind stage
# leaves it out (66,000 files: minutes under valgrind, nothing new to it).
. "$TESTS_DIR/lib.sh"

mkdir -p "$TMP/many"
cp "$TESTS_DIR/../templates/multi-docker/Dockerrun.aws.json" "$TMP/many/"
"$PYTHON" -c '
import os, sys
for d in range(66):
    p = os.path.join(sys.argv[1], "d%02d" % d); os.mkdir(p)
    for i in range(1000): open(os.path.join(p, "%d" % i), "w").write("%d\n" % i)
' "$TMP/many"
expect_rc 0 "bundle 66,000 files" "$EBCTL" bundle --all -C "$TMP/many" -o "$TMP/many.zip"
expect_eq "$("$PYTHON" -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.testzip())' "$TMP/many.zip")" \
	"66067 None" "zip64: Python reads all 66,067 entries"
unzip -tq "$TMP/many.zip" >"$TMP/unzip" 2>&1 && ok "zip64: unzip -t" || not_ok "zip64: unzip -t: $(tail -3 "$TMP/unzip")"
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 \
	run "$EBCTL" deploy --app app1 --env env-one --bundle "$TMP/many.zip" --region us-east-1 --label L --bucket b
expect_not_err "open as a zip" "zip64: libzip opens the zip"
expect_err "127.0.0.1" "zip64: the zip passed its checks: deploy went on to the network"
finish
