# ebctl bundle on several threads: the same bytes whatever the thread count,
# the right method per entry (stored or deflated), big files streamed, and a
# zip that Info-ZIP, Python's zipfile and libzip all read back (the zip64
# records: bundle_zip64_large.sh).
. "$TESTS_DIR/lib.sh"

app=$TMP/app
mkdir -p "$app"
cp "$TESTS_DIR/../templates/multi-docker/Dockerrun.aws.json" "$app/"
"$PYTHON" - "$app" <<'P'
import os, random, sys
root, rnd = sys.argv[1], random.Random(7)
for i in range(600):
    d = os.path.join(root, "src", "d%02d" % (i % 17))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%03d.c" % i), "w") as f:
        f.write(("int f%d(void) { return %d; }\n" % (i, i)) * rnd.randint(1, 400))
os.makedirs(os.path.join(root, "img"))
open(os.path.join(root, "img", "logo.png"), "wb").write(b"A" * 5000)       # compressible, but a png
open(os.path.join(root, "img", "noise.bin"), "wb").write(rnd.randbytes(5000)) # does not shrink
open(os.path.join(root, "empty.txt"), "wb").close()
open(os.path.join(root, "big.log"), "wb").write(b"a line of a log file\n" * 600000)  # 12 MB, streamed
open(os.path.join(root, "big-noise.dat"), "wb").write(rnd.randbytes(9 << 20))       # streamed, stored
open(os.path.join(root, "big.tar.gz"), "wb").write(rnd.randbytes(9 << 20))          # streamed by name
P

for j in 1 2 16; do
	expect_rc 0 "bundle --all -j $j" "$EBCTL" bundle --all -j "$j" -C "$app" -o "$TMP/j$j.zip"
	cut -f3 "$TMP/out" >"$TMP/j$j.sum"
done
expect_rc 0 "bundle --all, default threads" "$EBCTL" bundle --all -C "$app" -o "$TMP/jd.zip"
cmp -s "$TMP/j1.zip" "$TMP/j2.zip" && ok "1 and 2 threads: the same bytes" || not_ok "1 and 2 threads differ"
cmp -s "$TMP/j1.zip" "$TMP/j16.zip" && ok "1 and 16 threads: the same bytes" || not_ok "1 and 16 threads differ"
cmp -s "$TMP/j1.zip" "$TMP/jd.zip" && ok "default threads: the same bytes" || not_ok "default threads differ"
expect_eq "$(cat "$TMP/j2.sum")" "$(sha256sum "$TMP/j2.zip" | cut -d' ' -f1)" "the printed sha256 is the file's"
expect_eq "$(cut -f3 "$TMP/out")" "$(sha256sum "$TMP/jd.zip" | cut -d' ' -f1)" \
	"the printed sha256 is the file's (streamed entries: the file hashed again)"
EBCTL_JOBS=2 run "$EBCTL" bundle --all -C "$app" -o "$TMP/env.zip"
cmp -s "$TMP/j1.zip" "$TMP/env.zip" && ok "EBCTL_JOBS=2: the same bytes" || not_ok "EBCTL_JOBS=2 differs"
expect_rc 2 "-j 0 is refused" "$EBCTL" bundle --all -j 0 -C "$app" -o "$TMP/zero.zip"

# Methods: 0 stored, 8 deflated.
"$PYTHON" - "$TMP/j2.zip" >"$TMP/methods" <<'P'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
want = {"img/logo.png": 0, "img/noise.bin": 0, "empty.txt": 0, "big.log": 8,
        "big-noise.dat": 0, "big.tar.gz": 0, "src/d00/f000.c": 8, "Dockerrun.aws.json": 8}
for name, m in sorted(want.items()):
    print(name, z.getinfo(name).compress_type, m)
print("testzip", z.testzip())
P
while read -r name got want; do
	if [ "$name" = testzip ]; then expect_eq "$got" None "Python's zipfile reads every entry back"
	else expect_eq "$got" "$want" "$name: method $want"; fi
done <"$TMP/methods"
unzip -tq "$TMP/j2.zip" >"$TMP/unzip" 2>&1 && ok "unzip -t" || not_ok "unzip -t: $(cat "$TMP/unzip")"
mkdir "$TMP/x" && (cd "$TMP/x" && unzip -q "$TMP/j2.zip") && diff -r "$app" "$TMP/x" >/dev/null &&
	ok "unzipped, the tree is the same" || not_ok "the unzipped tree differs"
# libzip (with its consistency checks) opens it: deploy --bundle checks a prebuilt zip with it.
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 \
	run "$EBCTL" deploy --app app1 --env env-one --bundle "$TMP/j2.zip" --region us-east-1 --label L --bucket b
expect_not_err "open as a zip" "libzip opens the zip"
expect_err "127.0.0.1" "the zip passed its checks: deploy went on to the network"
expect_not_err "bundle-root" "libzip finds the Dockerrun at the root"

finish
