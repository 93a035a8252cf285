# The layering check of `make lint` (mk/check-layers.py): the tree passes, and a
# file that includes a header of a layer above or beside its own is caught.
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
finish
