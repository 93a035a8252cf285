# What each command loads: libcurl, libxml2, libcrypto, libzip, libdeflate and
# zlib are opened
# on first use (src/util/dynload.c), so the commands that need none of them
# (validate, --version, help) start without paying for them, and the ones
# that do still find them. The dynamic loader reports every object it opens
# under LD_DEBUG=files.
. "$TESTS_DIR/lib.sh"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_PROFILE

app=$TESTS_DIR/../templates/multi-docker

# loaded NAME...: the run's loader log ($TMP/err) names every library given
loaded() {
	local lib what=$1; shift
	for lib in "$@"; do
		if grep -q "file=$lib" "$TMP/err"; then ok "$what loads $lib"
		else not_ok "$what does not load $lib"; fi
	done
}
not_loaded() {
	local lib what=$1; shift
	for lib in "$@"; do
		if grep -q "file=$lib" "$TMP/err"; then not_ok "$what loads $lib"
		else ok "$what leaves $lib unloaded"; fi
	done
}

LD_DEBUG=files run "$EBCTL" validate "$app/Dockerrun.aws.json"
expect_eq "$rc" 0 "validate the template"
loaded "validate" libjansson
not_loaded "validate" libcrypto libzip libcurl libxml2 libdeflate libz.so

LD_DEBUG=files run "$EBCTL" --version
expect_eq "$rc" 0 "--version"
not_loaded "--version" libcrypto libzip libcurl libxml2

LD_DEBUG=files run "$EBCTL" bundle -C "$app" -o "$TMP/app.zip"
expect_eq "$rc" 0 "bundle the template"
loaded "bundle" libdeflate libcrypto
not_loaded "bundle" libcurl libzip

printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\n' >"$TMP/req"
LD_DEBUG=files run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z \
	--print authz "$TMP/req"
expect_eq "$rc" 0 "sign a request"
loaded "sign" libcrypto

finish
