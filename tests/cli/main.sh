# The command table, help and exit codes of the ebctl binary itself.
. "$TESTS_DIR/lib.sh"

expect_rc 0 "--version" "$EBCTL" --version
expect_out "ebctl 0." "--version prints the version"
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
