# When ebctl itself cannot go on (a shared library without the function it
# needs, out of memory) it exits 70, not 3: CI must not read its own
# failure as an AWS or network error. A stub libdeflate.so.0, found first
# through LD_LIBRARY_PATH, loads but has none of libdeflate's functions.
. "$TESTS_DIR/lib.sh"

command -v cc >/dev/null || { not_ok "no C compiler for the stub library"; finish; }
mkdir -p "$TMP/lib" "$TMP/app"
echo 'int ebctl_stub_library(void) { return 0; }' >"$TMP/stub.c"
if cc -shared -fPIC -o "$TMP/lib/libdeflate.so.0" "$TMP/stub.c" 2>"$TMP/cc.err"; then ok "a stub libdeflate.so.0"
else not_ok "cannot build the stub: $(cat "$TMP/cc.err")"; finish; fi
printf '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true, "memory": 128}]}\n' >"$TMP/app/Dockerrun.aws.json"

cd "$TMP/app" || exit 1
expect_rc 0 "bundle with the real library" "$EBCTL" bundle -o "$TMP/good.zip"
LD_LIBRARY_PATH=$TMP/lib expect_rc 70 "bundle with a libdeflate that lacks its functions" \
	"$EBCTL" bundle -o "$TMP/bad.zip"
expect_err "libdeflate.so.0 has no 'libdeflate_" "the message names the library and the function"
[ ! -e "$TMP/bad.zip" ] && ok "no partial bundle is left" || not_ok "a partial $TMP/bad.zip is left"
# validate needs no library at all: the stub does not touch it
LD_LIBRARY_PATH=$TMP/lib expect_rc 0 "validate does not load libdeflate" "$EBCTL" validate Dockerrun.aws.json

# Out of memory, in our code or inside jansson, is exit 70 with the reason,
# never an invalid document (1) or a crash. The address space is capped at
# sizes from enough to far too little: where a run stops depends on the
# machine, what it says must not. The cap must apply to ebctl itself: not
# under a sanitizer (its shadow memory needs terabytes) or a wrapper.
if [ -n "${SAN_LOGS:-}" ] || [ "$(head -c 4 "$EBCTL" | od -An -c | tr -d ' ')" != '177ELF' ]; then
	echo "# skip - out of memory: ebctl is not run directly here"
	finish
fi
awk 'BEGIN { printf "{\"AWSEBDockerrunVersion\": 2, \"containerDefinitions\": [";
	for (i = 0; i < 60000; i++) printf "%s{\"name\": \"c%d\", \"image\": \"nginx\", \"essential\": true, \"memory\": 128}", i ? ", " : "", i;
	print "]}" }' >"$TMP/big.json"
stopped=0 bad=
for kib in 400000 120000 80000 60000 40000 30000 20000; do
	(ulimit -v "$kib" && exec "$EBCTL" validate "$TMP/big.json") >/dev/null 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 70 ] && grep -q '^ebctl: out of memory' "$TMP/err"; then stopped=$((stopped + 1))
	elif [ "$rc" != 0 ]; then bad="$bad $kib KiB: exit $rc, $(head -c 200 "$TMP/err");"; fi
done
[ -z "$bad" ] && ok "every capped run succeeds or exits 70 saying out of memory" || not_ok "$bad"
[ "$stopped" -gt 0 ] && ok "some caps are too small ($stopped of 7)" || not_ok "no cap was too small: the test tests nothing"
finish
