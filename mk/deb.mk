# make deb: the Debian package (debian/), built by dpkg-buildpackage from a
# copy of the tree under a temporary directory, because dpkg-buildpackage
# writes its results next to the source and debhelper writes into debian/:
# the tree itself is left as it was. The .deb lands in DEB_DIR.
#   make deb [DEB_DIR=dir]
# In a git clone the copy is `git archive HEAD` (what --version names);
# elsewhere (an unpacked source tarball) it is the tree without its builds.
DEB_DIR ?= .
.PHONY: deb
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
		{ echo "make deb: needs dpkg-dev and debhelper (ci/install-deps)" >&2; exit 1; }
	@set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/ebctl-deb.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp/ebctl-$(VERSION)"; \
	if git rev-parse --show-toplevel 2>/dev/null | grep -qx "$(CURDIR)"; then \
		git diff-index --quiet HEAD -- || echo "make deb: warning: uncommitted changes are not in the package" >&2; \
		git archive --format=tar HEAD | tar -x -C "$$tmp/ebctl-$(VERSION)"; \
	else \
		tar -c --exclude=./build --exclude=./build-san --exclude=./build-fuzz --exclude=./build-release \
			--exclude=./.venv --exclude=./ebctl --exclude='./*.tar.gz' --exclude='./*.deb' . | \
			tar -x -C "$$tmp/ebctl-$(VERSION)"; \
	fi; \
	(cd "$$tmp/ebctl-$(VERSION)" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD \
		-u CFLAGS -u CPPFLAGS -u LDFLAGS -u LDLIBS dpkg-buildpackage -us -uc -b) >"$$tmp/build.log" 2>&1 || \
		{ tail -n 40 "$$tmp/build.log" >&2; echo "make deb: dpkg-buildpackage failed" >&2; exit 1; }; \
	mkdir -p "$(DEB_DIR)"; \
	for f in "$$tmp"/*.deb; do cp "$$f" "$(DEB_DIR)/"; echo "deb: $(DEB_DIR)/$$(basename "$$f")"; done
