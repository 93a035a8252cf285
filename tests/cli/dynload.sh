# The forwarders of the libraries loaded on first use are generated from
# src/util/dynload.list (mk/gen-dynload.sh), and mk/check-dynload.sh holds
# the list to the code: every function of those libraries that libebctl.a
# calls has a forwarder, so a new call cannot link to nothing.
. "$TESTS_DIR/lib.sh"
root=$TESTS_DIR/..
list=$root/src/util/dynload.list
archive=$root/$BUILD/libebctl.a

run sh "$root/mk/check-dynload.sh" "$list" "$archive"
expect_eq "$rc" 0 "every lazy library function libebctl.a calls is forwarded"
expect_out "all forwarded" "and says so"

# a call the list does not have: curl_easy_pause, in a new object
command -v cc >/dev/null || { not_ok "no C compiler for the new call"; finish; }
printf 'int curl_easy_pause(void *h, int mask);\nint pause_it(void *h);\nint pause_it(void *h) { return curl_easy_pause(h, 1); }\n' >"$TMP/newcall.c"
cp "$archive" "$TMP/lib.a"
if cc -c -o "$TMP/newcall.o" "$TMP/newcall.c" && ar rcs "$TMP/lib.a" "$TMP/newcall.o"; then
	run sh "$root/mk/check-dynload.sh" "$list" "$TMP/lib.a"
	expect_eq "$rc" 1 "a call with no forwarder fails the check"
	expect_err "newcall.o calls curl_easy_pause of libcurl.so.4" "and names the call, the object and the library"
else
	not_ok "could not build the archive with the new call"
fi

# the generator: a forwarder per prototype, returning unless the function
# returns void, none for variable arguments; a malformed line names itself
cat >"$TMP/t.list" <<'LIST'
# a comment
lib demo libdemo0 libdemo.so.0 libdemo.so
void demo_free(struct demo *d)
struct demo *demo_new(void)
int demo_sum(const int xs[], unsigned n)
int demo_printf(struct demo *d, const char *fmt, ...)
LIST
run sh "$root/mk/gen-dynload.sh" "$TMP/t.list"
expect_eq "$rc" 0 "generate from a small list"
expect_out 'static const char *const demo_names[] = {"libdemo.so.0", "libdemo.so", NULL};' "the sonames in order"
expect_out 'static struct lib demo_lib = {demo_names, "libdemo0", NULL, PTHREAD_ONCE_INIT};' "the package to install"
expect_out '#define DEMO_FN(fn) RESOLVE(demo_lib, open_demo, fn)' "a resolver for the hand-written ones"
expect_out '	demo_free_real(d);' "a void function forwards without return"
expect_out 'struct demo *demo_new(void)' "a pointer return keeps its star by the name"
expect_out '	return demo_new_real();' "and no arguments"
expect_out '	return demo_sum_real(xs, n);' "an array parameter passes its name"
expect_not_out 'demo_printf_real' "no forwarder for variable arguments"
printf 'lib demo libdemo0 libdemo.so.0\nint demo_bad(int)\n' >"$TMP/bad.list"
run sh "$root/mk/gen-dynload.sh" "$TMP/bad.list"
expect_eq "$rc" 1 "a parameter without a name fails"
expect_err "bad.list:2: parameter 1 of demo_bad has no name" "naming the line"
finish
