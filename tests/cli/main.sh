# The command table, help and exit codes of the ebctl binary itself.
. "$TESTS_DIR/lib.sh"

expect_rc 0 "--version" "$EBCTL" --version
expect_out "ebctl 0." "--version prints the version"
# one line: version, commit (a clone's, "-dirty" when changed, or "unknown"
# outside one) and build date (SOURCE_DATE_EPOCH or the commit's)
if grep -qxE 'ebctl [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown), built ([0-9]{4}-[0-9]{2}-[0-9]{2}|unknown)\)' "$TMP/out" &&
	[ "$(wc -l <"$TMP/out")" -eq 1 ]; then ok "--version names the commit and the build date"
else not_ok "--version format: $(cat "$TMP/out")"; fi
expect_rc 0 "version, the command" "$EBCTL" version
expect_eq "$(cat "$TMP/out")" "$("$EBCTL" --version)" "version and --version agree"
# the date comes from SOURCE_DATE_EPOCH when set, never from the clock
expect_eq "$(SOURCE_DATE_EPOCH=86400 sh "$TESTS_DIR/../mk/build-info.sh" header | sed -n 's/.*EBCTL_BUILD_DATE "\(.*\)"/\1/p')" \
	1970-01-02 "build-info.sh takes the date from SOURCE_DATE_EPOCH"
expect_rc 0 "--help" "$EBCTL" --help
for c in validate bundle deploy events logs status health setenv printenv render init sign; do
	expect_out "  $c " "--help lists $c"
done
expect_rc 2 "no command is a usage error" "$EBCTL"
expect_err "usage: ebctl" "no command prints usage on stderr"
expect_rc 2 "unknown command" "$EBCTL" valdate
expect_err "'valdate' is not an ebctl command. See 'ebctl --help'." "unknown command message"
expect_err "validate" "unknown command suggests the closest"
expect_rc 2 "unknown global option" "$EBCTL" --frobnicate
expect_err "unknown option '--frobnicate'" "unknown global option named"
expect_rc 0 "help COMMAND" "$EBCTL" help validate
expect_out "usage: ebctl validate" "help COMMAND prints that command's usage"
expect_rc 2 "help of an unknown command" "$EBCTL" help nosuch
finish
