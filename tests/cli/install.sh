# scripts/install.sh, the install step of the GitHub Action and the Travis
# template, against a local stand-in for GitHub's release downloads: it
# installs a release whose checksum matches and runs it, refuses one whose
# checksum does not (nothing installed), and builds this tree when the ref
# has no release, reusing that build (a restored cache) while the source is
# the same.
. "$TESTS_DIR/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
script=$root/scripts/install.sh
for t in curl sha256sum tar make cc; do
	command -v "$t" >/dev/null || { echo "# skip - install: $t is not installed"; finish; }
done
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE CFLAGS CPPFLAGS LDFLAGS LDLIBS BUILD GITHUB_OUTPUT GITHUB_PATH

# A release of v9.8.7 in the layout make release writes, holding the binary under test.
rel=$TMP/srv/v9.8.7 name=ebctl-9.8.7-linux-x86_64
mkdir -p "$rel" "$TMP/stage/$name" "$TMP/srv/v9.9.9"
cp "$EBCTL" "$TMP/stage/$name/ebctl"
tar -C "$TMP/stage" -czf "$rel/$name.tar.gz" "$name"
(cd "$rel" && sha256sum "$name.tar.gz" >SHA256SUMS && echo "$(printf '0%.0s' $(seq 64))  other.tar.gz" >>SHA256SUMS)
# v9.9.9: a tarball whose bytes are not the ones SHA256SUMS names
cp "$rel/$name.tar.gz" "$TMP/srv/v9.9.9/ebctl-9.9.9-linux-x86_64.tar.gz"
echo "$(sha256sum "$rel/SHA256SUMS" | cut -c1-64)  ebctl-9.9.9-linux-x86_64.tar.gz" >"$TMP/srv/v9.9.9/SHA256SUMS"
fake_start release_server.py --root "$TMP/srv" || { not_ok "the release server starts"; finish; }

export GITHUB_OUTPUT=$TMP/gh-out GITHUB_PATH=$TMP/gh-path
: >"$GITHUB_OUTPUT"; : >"$GITHUB_PATH"
expect_rc 0 "a release whose checksum matches is installed" env EBCTL_REF=v9.8.7 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.8.7" EBCTL_INSTALL_DIR="$TMP/bin1" "$script" --release
expect_out "$TMP/bin1/ebctl" "it prints the installed binary's path"
expect_err "checksum verified" "it says the checksum was verified"
cmp -s "$TMP/bin1/ebctl" "$EBCTL" && ok "the installed binary is the tarball's" || not_ok "the installed binary differs from the tarball's"
mkdir -p "$TMP/empty"
(cd "$TMP/empty" && env -i "$TMP/bin1/ebctl" validate "$root/templates/multi-docker/Dockerrun.aws.json" >/dev/null 2>&1) &&
	ok "the installed binary runs (validate, env -i, from an empty directory)" || not_ok "the installed binary does not run"
expect_eq "$(grep -c "^ebctl=$TMP/bin1/ebctl\$" "$GITHUB_OUTPUT")$(grep -c '^from=release$' "$GITHUB_OUTPUT")" 11 \
	"GITHUB_OUTPUT gets ebctl=PATH and from=release"
expect_eq "$(cat "$GITHUB_PATH")" "$TMP/bin1" "GITHUB_PATH gets the binary's directory"

# action.yml's own release step, as the runner runs it (the release server
# in place of github.com), and its exit status on a bad checksum.
step() { "$PYTHON" -c 'import sys, yaml
s = [s for s in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"] if s.get("id") == sys.argv[2]]
print(s[0]["run"])' "$root/action.yml" "$1"; }
: >"$GITHUB_OUTPUT"
expect_rc 0 "action.yml's release step installs the release" env GITHUB_ACTION_PATH="$root" RUNNER_TEMP="$TMP/runner" \
	EBCTL_REF=v9.8.7 EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.8.7" bash -e -c "$(step release)"
expect_eq "$(grep '^ebctl=' "$GITHUB_OUTPUT")" "ebctl=$TMP/runner/ebctl-release/ebctl" "and names it in its ebctl output"
expect_rc 0 "action.yml's release step goes on when there is no release" env GITHUB_ACTION_PATH="$root" \
	RUNNER_TEMP="$TMP/runner2" EBCTL_REF=v1.2.3 EBCTL_RELEASE_URL="$RELEASE_SERVER/v1.2.3" bash -e -c "$(step release)"
expect_rc 1 "action.yml's release step fails on a bad checksum" env GITHUB_ACTION_PATH="$root" \
	RUNNER_TEMP="$TMP/runner3" EBCTL_REF=v9.9.9 EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.9.9" bash -e -c "$(step release)"

expect_rc 1 "a tarball that does not match SHA256SUMS is refused" env EBCTL_REF=v9.9.9 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.9.9" EBCTL_INSTALL_DIR="$TMP/bin2" "$script"
expect_err "does not match its SHA256SUMS line: not installed" "the error names the checksum"
[ ! -e "$TMP/bin2" ] && ok "nothing is installed after a bad checksum" || not_ok "a bad checksum left $(ls -A "$TMP/bin2")"
sed -i 's/ebctl-9.9.9/ebctl-9.9.8/' "$TMP/srv/v9.9.9/SHA256SUMS"
expect_rc 1 "a SHA256SUMS without the tarball's line is refused" env EBCTL_REF=v9.9.9 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.9.9" EBCTL_INSTALL_DIR="$TMP/bin2" "$script"
expect_err "has no line for ebctl-9.9.9-linux-x86_64.tar.gz" "the error names the missing line"
[ ! -e "$TMP/bin2" ] && ok "nothing is installed without a checksum" || not_ok "no checksum left $(ls -A "$TMP/bin2")"
expect_rc 3 "--release with no release of the ref: exit 3" env EBCTL_REF=v1.2.3 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v1.2.3" EBCTL_INSTALL_DIR="$TMP/bin3" "$script" --release
expect_rc 2 "an unknown argument is a usage error" "$script" --frobnicate

# No release: a build of this tree, then the same build reused.
: >"$GITHUB_OUTPUT"
expect_rc 0 "with no release of the ref, it builds" env EBCTL_REF=v1.2.3 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v1.2.3" EBCTL_INSTALL_DIR="$TMP/cache" "$script"
expect_err "no release at $RELEASE_SERVER/v1.2.3" "it says there is no release"
expect_err "building ebctl from $root" "it says it builds"
expect_eq "$(grep '^from=' "$GITHUB_OUTPUT")" "from=build" "from=build"
expect_rc 0 "the build runs" "$TMP/cache/ebctl" --version
expect_eq "$("$EBCTL" --version | head -1)" "$(head -1 "$TMP/out")" "the build is this tree's version and commit"
: >"$GITHUB_OUTPUT"
expect_rc 0 "a build of the same source is reused" env EBCTL_REF=main EBCTL_INSTALL_DIR="$TMP/cache" "$script" --build
expect_err "using the build in $TMP/cache (same source)" "it says it reuses the build"
expect_eq "$(grep '^from=' "$GITHUB_OUTPUT")" "from=cache" "from=cache"
expect_eq "$(cat "$TMP/cache/.ebctl-source")" "$("$script" --source-key)" "the build records its source key"
expect_eq "$(curl -s "$RELEASE_SERVER/__log" | grep -c v1.2.3/ebctl-)" 0 "no tarball is fetched when SHA256SUMS is missing"

# The Travis template's install step: the script of the pinned tag, then
# the release; run here with this tree's script and the release server.
travis=$("$PYTHON" -c 'import sys, yaml
print("\n".join(yaml.safe_load(open(sys.argv[1]))["install"]))' "$root/templates/travis/.travis.yml")
expect_eq "$(grep -c 'raw.githubusercontent.com/$EBCTL_REPOSITORY/$EBCTL_REF/scripts/install.sh' <<<"$travis")" 1 \
	"the Travis template fetches the install script of the pinned tag"
mkdir -p "$TMP/home"
cp "$script" "$TMP/home/ebctl-install.sh"
unset GITHUB_OUTPUT GITHUB_PATH
expect_rc 0 "the Travis template's install step installs the release" env HOME="$TMP/home" EBCTL_REF=v9.8.7 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.8.7" bash -e -c "$(grep -v 'curl ' <<<"$travis")"' && ebctl --version'
expect_out "ebctl " "and the installed ebctl runs from PATH"
expect_rc 1 "the Travis template's install step fails on a bad checksum" env HOME="$TMP/home2" EBCTL_REF=v9.9.9 \
	EBCTL_RELEASE_URL="$RELEASE_SERVER/v9.9.9" bash -e -c "cp '$script' \$HOME/ebctl-install.sh 2>/dev/null || { mkdir -p \$HOME && cp '$script' \$HOME/ebctl-install.sh; }; $(grep -v 'curl ' <<<"$travis")"

# The release workflow publishes what the script downloads.
run "$PYTHON" - "$root/.github/workflows/release.yml" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
on = wf.get("on", wf.get(True))
def check(cond, msg): print(("ok - " if cond else "not ok - ") + msg)
check(on == {"push": {"tags": ["v*"]}}, "release.yml runs on v* tags")
runs = "\n".join(s.get("run", "") for j in wf["jobs"].values() for s in j["steps"])
for want in ("make release RELEASE_DIR=dist", "make deb DEB_DIR=dist", "sha256sum -- *.tar.gz *.deb >SHA256SUMS",
             "gh release create", "lintian --fail-on error", "scripts/install.sh --release"):
    check(want in runs, "release.yml runs: " + want)
PY
cat "$TMP/out"; [ "$rc" -eq 0 ] || { not_ok "checking release.yml failed (exit $rc)"; sed 's/^/#   /' "$TMP/err"; }
finish
