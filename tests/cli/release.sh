# make release: the tarball's binary needs only the C library (jansson, inih
# and libyaml linked in; libcurl, libxml2, libcrypto, libzip, libdeflate and zlib opened on
# first use), runs from an empty directory with an empty environment, says
# which package to install when a library it opens is absent, and two
# builds in two directories give the same bytes.
. "$TESTS_DIR/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
skip() { echo "# skip - release: $*"; finish; }
for t in make cc tar gzip readelf cmp pkg-config; do
	command -v "$t" >/dev/null || skip "$t is not installed (ci/install-deps)"
done
for p in jansson inih yaml-0.1; do
	lib=${p%-0.1}
	[ -f "$(pkg-config --variable=libdir "$p" 2>/dev/null)/lib$lib.a" ] ||
		skip "lib$lib.a is missing (install lib$lib-dev)"
done
# a make check under SANITIZE=... must not reach the release build
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE CFLAGS CPPFLAGS LDFLAGS LDLIBS BUILD

build() { # DIR: make release into DIR
	make -C "$root" -j2 --no-print-directory BUILD="$1/outer" RELEASE_BUILD="$1" RELEASE_DIR="$1" release
}
expect_rc 0 "make release" build "$TMP/a"
tarball=$(ls "$TMP"/a/ebctl-*-linux-x86_64.tar.gz 2>/dev/null)
[ -f "$tarball" ] || { not_ok "make release wrote no ebctl-VERSION-linux-x86_64.tar.gz"; finish; }
name=$(basename "$tarball" .tar.gz)
expect_eq "$(tar -tzf "$tarball" | tr '\n' ' ')" \
	"$name/ $name/LICENSE $name/README.md $name/completions/ $name/completions/_ebctl $name/completions/ebctl.bash $name/ebctl $name/ebctl.1 " \
	"the tarball holds the binary, the man page, the completions, LICENSE and README.md, in name order"
expect_eq "$(tar -tvzf "$tarball" | awk '{print $2}' | sort -u)" "0/0" "every entry is owned by 0/0"

mkdir -p "$TMP/unpacked" "$TMP/empty"
tar -xzf "$tarball" -C "$TMP/unpacked"
bin=$TMP/unpacked/$name/ebctl

needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
bad=$(echo "$needed" | grep -v -x -E 'libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|ld-linux-x86-64\.so\.2' || true)
expect_eq "$bad" "" "DT_NEEDED has only the C library family ($(echo $needed))"
# Ubuntu 22.04, the oldest runner it is for, has glibc 2.35
newest=$(readelf -W --dyn-syms "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
expect_eq "$(printf '%s\n2.35\n' "$newest" | sort -V | tail -1)" 2.35 "needs glibc $newest, no newer than Ubuntu 22.04's 2.35"

cd "$TMP/empty" || exit 1
expect_rc 0 "the tarball's binary runs --version under env -i" env -i "$bin" --version
date=$(date -u -d "@$(sh "$root/mk/build-info.sh" epoch)" +%Y-%m-%d)
expect_out "ebctl " "--version prints the version"
expect_out "built $date)" "the build date is the commit's"
expect_rc 0 "validate from an empty directory under env -i" \
	env -i "$bin" validate "$root/templates/multi-docker/Dockerrun.aws.json"
expect_rc 0 "bundle under env -i (libdeflate and libcrypto opened at run time)" \
	env -i "$bin" bundle -C "$root/templates/multi-docker" -o "$TMP/app.zip"
cd "$root" || exit 1

# A library the binary opens at run time, absent: one line naming the
# package. Hiding one needs a mount namespace (root, and a kernel that
# allows it); where there is none, this part is skipped.
zip_so=$(ldconfig -p 2>/dev/null | awk '/libdeflate\.so\.0 /{print $NF; exit}')
if [ -n "$zip_so" ] && unshare -m true 2>/dev/null; then
	run unshare -m sh -c 'a=$1 o=$2; shift 2; for f; do mount --bind /dev/null "$f" || exit 9; done; exec env -i "$0" bundle -C "$a" -o "$o"' \
		"$bin" "$root/templates/multi-docker" "$TMP/none.zip" $(ls "$(dirname "$zip_so")"/libdeflate.so*)
	expect_eq "$(wc -l <"$TMP/err")" 1 "without libdeflate: one line"
	expect_err "install the libdeflate0 package" "without libdeflate: the line names the package"
	expect_eq "$(ls "$TMP" | grep -c '^none\.zip')" 0 "without libdeflate: no zip, not even a temporary one"
else
	echo "# skip - release: cannot hide libdeflate here (no mount namespace)"
fi

expect_rc 0 "a second make release in another directory" build "$TMP/b"
if cmp -s "$tarball" "$TMP/b/$name.tar.gz"; then ok "two builds give the same bytes"
else not_ok "two builds differ"; cmp "$tarball" "$TMP/b/$name.tar.gz" | sed 's/^/#   /'; fi
finish
