# make deb: dpkg-buildpackage builds the package from a copy of the tree (the
# tree is left as it was), lintian finds no errors in it, it declares the
# libraries ebctl opens at run time and puts each file in its Debian place,
# and the binary extracted with dpkg-deb -x runs.
. "$TESTS_DIR/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
skip() { echo "# skip - deb: $*"; finish; }
for t in make dpkg-buildpackage dh dpkg-deb git; do
	command -v "$t" >/dev/null || skip "$t is not installed (ci/install-deps)"
done
# The package holds a build of its own, not the binary under test: a
# sanitizer run (SAN_LOGS is set) has nothing to add, and skips the minute.
[ -z "${SAN_LOGS:-}" ] || skip "the package is not the sanitizer build"
# a make check under SANITIZE=... must not reach the package build
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE CFLAGS CPPFLAGS LDFLAGS LDLIBS BUILD

# (other tests run at the same time: only what a package build would leave counts)
before=$(cd "$root" && git status --porcelain | sort)
expect_rc 0 "make deb" make -C "$root" --no-print-directory DEB_DIR="$TMP/out-deb" deb
deb=$(ls "$TMP"/out-deb/ebctl_*_amd64.deb 2>/dev/null | head -1)
[ -f "$deb" ] || { not_ok "make deb wrote no ebctl_VERSION_amd64.deb"; finish; }
after=$(cd "$root" && git status --porcelain | sort)
expect_eq "$after" "$before" "the build leaves the tree as it was"
left=$(cd "$root/debian" && ls -d .debhelper ebctl files debhelper-build-stamp ./*.substvars ./*.debhelper.log 2>/dev/null)
expect_eq "$left" "" "debhelper wrote nothing into debian/"
expect_eq "$(ls "$root"/.. | grep -c '^ebctl_.*\.\(deb\|buildinfo\|changes\)$')" 0 "nothing is written beside the tree"

expect_eq "$(dpkg-deb -f "$deb" Version)" "$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")" \
	"the package's version (debian/changelog) is the Makefile's"
depends=$(dpkg-deb -f "$deb" Depends)
for p in libcurl4 libxml2 libssl3 libzip4 libdeflate0 zlib1g libjansson4 libinih1 libyaml-0-2; do
	grep -qE "(^|, )$p( |,|$)" <<<"$depends" && ok "Depends names $p" || not_ok "Depends lacks $p: $depends"
done
files=$(dpkg-deb -c "$deb" | awk '{print $NF}')
for f in ./usr/bin/ebctl ./usr/share/man/man1/ebctl.1.gz ./usr/share/bash-completion/completions/ebctl \
	./usr/share/zsh/vendor-completions/_ebctl ./usr/share/doc/ebctl/copyright; do
	grep -qx -- "$f" <<<"$files" && ok "the package installs $f" || not_ok "the package has no $f"
done

if command -v lintian >/dev/null; then
	run lintian --fail-on error "$deb"
	[ "$rc" -eq 0 ] && ok "lintian reports no errors" ||
		{ not_ok "lintian reports errors"; sed 's/^/#   /' "$TMP/out"; }
	grep '^W:' "$TMP/out" | sed 's/^/# lintian warning (see debian\/README.source): /'
else
	echo "# skip - lintian is not installed (ci/install-deps)"
fi

mkdir -p "$TMP/x" "$TMP/empty"
dpkg-deb -x "$deb" "$TMP/x"
bin=$TMP/x/usr/bin/ebctl
cd "$TMP/empty" || exit 1
expect_rc 0 "the extracted binary runs --version" "$bin" --version
expect_out "ebctl $(sed -n 's/^VERSION *:= *//p' "$root/Makefile")" "--version names the Makefile's version"
expect_rc 0 "the extracted binary validates a Dockerrun.aws.json" \
	"$bin" validate "$root/templates/multi-docker/Dockerrun.aws.json"
printf '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web"}]}\n' >"$TMP/bad.json"
expect_rc 1 "and rejects a broken one" "$bin" validate "$TMP/bad.json"
cd "$root" || exit 1
finish
