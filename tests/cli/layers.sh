# The layering check of `make lint` (mk/check-layers.py): the tree passes, and a
# file that includes a header of a layer above or beside its own is caught, and so
# is a file below src/cli that writes to the terminal itself, and a file other
# than src/cli/exit.c's mapping that names an exit code.
. "$TESTS_DIR/lib.sh"
root=$TESTS_DIR/..
expect_rc 0 "the tree's dependencies point down only" "$PYTHON" "$root/mk/check-layers.py" "$root"

fake=$TMP/tree
mkdir -p "$fake/src/aws" "$fake/src/util" "$fake/src/cli" "$fake/include/ebctl"
printf '#include "ebctl/util.h"\n#include "internal.h"\n' >"$fake/src/aws/ok.c"
printf '#include "ebctl/util.h"\n' >"$fake/src/cli/ok.c"
expect_rc 0 "down and within a folder is fine" "$PYTHON" "$root/mk/check-layers.py" "$fake"
printf '#include "ebctl/cli.h"\n' >"$fake/src/util/up.c"
printf '#include "ebctl/dockerrun.h"\n' >"$fake/src/aws/beside.c"
expect_rc 1 "an include of a layer above fails" "$PYTHON" "$root/mk/check-layers.py" "$fake"
expect_err "src/util/up.c: includes 'ebctl/cli.h' of src/cli/, a layer above src/util/" "names the file and the layer"
expect_err "src/aws/beside.c: includes 'ebctl/dockerrun.h' of src/dockerrun/, a layer beside src/aws/" \
	"a layer beside is refused too"
mkdir -p "$fake/src/extra"; printf '\n' >"$fake/src/extra/x.c"
expect_rc 1 "a folder without a floor fails" "$PYTHON" "$root/mk/check-layers.py" "$fake"
expect_err "folder 'extra' has no floor" "and says so"

# the unit tier needs no Python: no unit test starts a server of tests/fakes/ or moto
expect_rc 1 "no unit test starts a server" grep -lE 'fake_start|tests/fakes|python|moto' \
	"$root"/tests/unit/*.c "$root"/tests/unit/*.h

# only src/cli prints
printed=$TMP/printed
mkdir -p "$printed/src/env" "$printed/src/cli" "$printed/include/ebctl"
printf '/* not to stderr: the sink */\nvoid f(void);\n' >"$printed/src/env/quiet.c"
printf '#include <stdio.h>\nvoid g(void) { fputs("x", stderr); }\n' >"$printed/src/cli/out.c"
expect_rc 0 "src/cli may print; a comment naming stderr is no print" "$PYTHON" "$root/mk/check-layers.py" "$printed"
printf '#include <stdio.h>\nvoid f(void) { fprintf(stdout, "x"); }\n' >"$printed/src/env/loud.c"
expect_rc 1 "a file below src/cli that prints fails" "$PYTHON" "$root/mk/check-layers.py" "$printed"
expect_err "src/env/loud.c: 'stdout' below src/cli, which alone prints" "names the file"
printf '#include "ebctl/util.h"\nvoid h(va_list ap) { msg_vwrite(0, 0, "x", ap); }\n' >"$printed/src/env/loud.c"
expect_rc 1 "so does one that calls the message writer" "$PYTHON" "$root/mk/check-layers.py" "$printed"

# only src/cli/exit.c maps a status to an exit code
exits=$TMP/exits
mkdir -p "$exits/src/deploy" "$exits/src/cli" "$exits/include/ebctl"
printf '/* EBCTL_EXIT_AWS in a comment is no use */\nint f(void) { return EBCTL_ERR_AWS; }\n' >"$exits/src/deploy/ok.c"
printf 'int cli_exit_code(int s) { return s ? EBCTL_EXIT_AWS : EBCTL_EXIT_OK; }\n' >"$exits/src/cli/exit.c"
expect_rc 0 "a status below, the mapping in exit.c" "$PYTHON" "$root/mk/check-layers.py" "$exits"
printf 'int f(void) { return EBCTL_EXIT_AWS; }\n' >"$exits/src/deploy/ok.c"
printf 'int g(void) { return EBCTL_EXIT_USAGE; }\n' >"$exits/src/cli/cmd_x.c"
expect_rc 1 "an exit code returned by a module or a command fails" "$PYTHON" "$root/mk/check-layers.py" "$exits"
expect_err "src/deploy/ok.c: names the exit code 'EBCTL_EXIT_AWS'" "names the module"
expect_err "src/cli/cmd_x.c: names the exit code 'EBCTL_EXIT_USAGE'" "and the command"
finish
