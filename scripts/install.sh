#!/usr/bin/env bash
# Install ebctl on a CI machine: the release tarball of a tag, checksum
# verified, or a build of this tree. The GitHub Action (action.yml) and the
# Travis template (templates/travis/.travis.yml) run it.
#
#   scripts/install.sh             the release of EBCTL_REF; with none, a build
#   scripts/install.sh --release   the release only (none is exit 3)
#   scripts/install.sh --build     a build only; the one already in
#                                  EBCTL_INSTALL_DIR (a restored cache) is used
#                                  when it was built from the same source
#   scripts/install.sh --source-key  print the hash of the source a build uses
#
# Variables:
#   EBCTL_REF          the tag, such as v0.1.0 (a ref that is not vN... has no
#                      release); the action passes its own ref
#   EBCTL_REPOSITORY   owner/name on GitHub, where the release is
#   EBCTL_RELEASE_URL  the release's download address instead of
#                      https://github.com/EBCTL_REPOSITORY/releases/download/EBCTL_REF
#   EBCTL_INSTALL_DIR  where the ebctl binary goes (default ~/.local/bin)
#
# The release is ebctl-VERSION-linux-x86_64.tar.gz and SHA256SUMS beside it;
# the tarball must match its line in SHA256SUMS, or nothing is installed.
# Prints the installed binary's path; with GITHUB_OUTPUT, writes the outputs
# `ebctl` (that path) and `from` (release, cache or build); with GITHUB_PATH,
# puts its directory on the job's PATH.
# Exit status: 0 installed, 1 failed (a bad checksum, a download or build
# error), 2 bad usage, 3 no release for EBCTL_REF (--release).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
dir=${EBCTL_INSTALL_DIR:-$HOME/.local/bin}
mode=${1:-auto}
case "$mode" in auto | --release | --build | --source-key) ;;
*) echo "usage: install.sh [--release | --build | --source-key]" >&2; exit 2 ;;
esac

say() { echo "install.sh: $*" >&2; }
die() { say "$*"; exit 1; }

installed() { # FROM: report the binary in $dir
	"$dir/ebctl" --version >&2 || die "the installed $dir/ebctl does not run"
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf 'ebctl=%s\nfrom=%s\n' "$dir/ebctl" "$1" >>"$GITHUB_OUTPUT"
	fi
	if [ -n "${GITHUB_PATH:-}" ]; then echo "$dir" >>"$GITHUB_PATH"; fi
	echo "$dir/ebctl"
	exit 0
}

# The source a build depends on: what is compiled and how.
source_key() {
	(cd "$src" && find Makefile mk src include templates -type f ! -name commit -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
}

# try_release: install the release of EBCTL_REF; return 3 when there is none.
try_release() {
	local ref=${EBCTL_REF:-} base=${EBCTL_RELEASE_URL:-} version tar tmp code sums
	case "$ref" in v[0-9]*) ;; *) say "no release: '$ref' is not a version tag"; return 3 ;; esac
	if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
		say "no release for $(uname -s)-$(uname -m)"
		return 3
	fi
	if [ -z "$base" ]; then
		[ -n "${EBCTL_REPOSITORY:-}" ] || { say "no release: EBCTL_REPOSITORY is not set"; return 3; }
		base=https://github.com/$EBCTL_REPOSITORY/releases/download/$ref
	fi
	version=${ref#v}
	tar=ebctl-$version-linux-x86_64.tar.gz
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" EXIT
	code=$(curl -sSL --retry 3 -o "$tmp/SHA256SUMS" -w '%{http_code}' "$base/SHA256SUMS") ||
		die "cannot download $base/SHA256SUMS"
	if [ "$code" = 404 ]; then say "no release at $base"; return 3; fi
	[ "$code" = 200 ] || die "downloading $base/SHA256SUMS: HTTP $code"
	sums=$(grep -E "^[0-9a-f]{64}  \*?$tar\$" "$tmp/SHA256SUMS" || true)
	[ -n "$sums" ] || die "$base/SHA256SUMS has no line for $tar"
	curl -fsSL --retry 3 -o "$tmp/$tar" "$base/$tar" || die "cannot download $base/$tar"
	(cd "$tmp" && sha256sum -c --quiet - <<<"$sums" >/dev/null 2>&1) ||
		die "$tar does not match its SHA256SUMS line: not installed"
	tar -xzf "$tmp/$tar" -C "$tmp" "ebctl-$version-linux-x86_64/ebctl" || die "cannot unpack $tar"
	mkdir -p "$dir"
	install -m 755 "$tmp/ebctl-$version-linux-x86_64/ebctl" "$dir/ebctl.new"
	mv -f "$dir/ebctl.new" "$dir/ebctl"
	say "installed the $ref release (checksum verified)"
	installed release
}

build() {
	local key
	key=$(source_key)
	if [ -x "$dir/ebctl" ] && [ "$(cat "$dir/.ebctl-source" 2>/dev/null)" = "$key" ] &&
		"$dir/ebctl" --version >/dev/null 2>&1; then
		say "using the build in $dir (same source)"
		installed cache
	fi
	say "building ebctl from $src"
	local b
	b=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$b'" EXIT
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" \
		BUILD="$b" EBCTL="$b/ebctl" "$b/ebctl" >"$b/log" 2>&1 || { tail -n 30 "$b/log" >&2; die "the build failed"; }
	mkdir -p "$dir"
	install -m 755 "$b/ebctl" "$dir/ebctl.new"
	mv -f "$dir/ebctl.new" "$dir/ebctl"
	echo "$key" >"$dir/.ebctl-source"
	installed build
}

case "$mode" in
--source-key) source_key ;;
--build) build ;;
--release) try_release ;;
auto)
	rc=0
	(try_release) || rc=$?
	if [ "$rc" -eq 0 ]; then exit 0; fi
	[ "$rc" -eq 3 ] || exit "$rc"
	build
	;;
esac
