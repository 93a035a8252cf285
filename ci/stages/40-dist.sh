#!/usr/bin/env bash
# make dist writes a source tarball that builds and passes the CLI tests
# on its own: no .git, unpacked in an empty directory, with the shared
# test data wherever SHARED points (CI exports it).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shared=${SHARED:-$root/../shared}
[ -d "$shared" ] || { echo "40-dist: no shared directory at '$shared' (set SHARED)" >&2; exit 1; }
shared=$(cd "$shared" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/ebctl-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
make --no-print-directory dist
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
tar -xzf "ebctl-$version.tar.gz" -C "$work"
cd "$work/ebctl-$version"
[ ! -e .git ] || { echo "40-dist: the tarball holds a .git" >&2; exit 1; }
# the tarball says which commit it is, without git
grep -q '^[0-9a-f]\{40\} [0-9]\+$' mk/commit || { echo "40-dist: mk/commit was not filled in: $(cat mk/commit)" >&2; exit 1; }
unset MAKEFLAGS MFLAGS MAKELEVEL
# moto and the aws CLI, when ci/install-deps put them in the clone's .venv
[ -x "$root/.venv/bin/python3" ] && export PATH=$root/.venv/bin:$PATH
make -j2 SHARED="$shared"
./ebctl --version
case "$(./ebctl --version)" in *"commit $(cut -c1-12 mk/commit)"*) ;; *)
	echo "40-dist: --version does not name the tarball's commit" >&2; exit 1 ;;
esac
make cli SHARED="$shared"
