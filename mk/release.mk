# Build information for `ebctl --version` (mk/build-info.sh): the header is
# rewritten only when what it says changes, so a build of an unchanged tree
# recompiles nothing, and a new commit recompiles main.c alone.
BUILD_INFO_H := $(BUILD)/gen/build_info.h
_ := $(shell mkdir -p $(BUILD)/gen && sh mk/build-info.sh header >$(BUILD_INFO_H).new && \
	{ cmp -s $(BUILD_INFO_H).new $(BUILD_INFO_H) || mv $(BUILD_INFO_H).new $(BUILD_INFO_H); }; \
	rm -f $(BUILD_INFO_H).new)

$(MAIN_OBJ): $(BUILD_INFO_H)
$(MAIN_OBJ): override CPPFLAGS += -I$(BUILD)/gen

# make release: ebctl-VERSION-linux-x86_64.tar.gz, a binary that runs on a
# stock Debian 12 or Ubuntu 22.04/24.04 machine. jansson, inih and libyaml
# are linked in statically; libcurl, libxml2, libcrypto and libzip stay
# loaded on first use (src/util/dynload.c), as in every build: they are on
# such machines, and a command that needs one that is absent stops with the
# package to install. (Debian ships no static libzip, and a static libzip
# would drag libcrypto, zlib, bzip2, lzma and zstd in with it.)
# The build is reproducible: the date is SOURCE_DATE_EPOCH (by default the
# commit's), paths are mapped out of the binary, which is stripped, and the
# tarball has fixed owners, modes, mtimes and order, compressed with gzip -n.
#   make release [RELEASE_BUILD=dir] [RELEASE_DIR=dir]
RELEASE_BUILD   ?= build-release
RELEASE_DIR     ?= .
RELEASE_NAME    := ebctl-$(VERSION)-linux-x86_64
RELEASE_TAR     := $(RELEASE_DIR)/$(RELEASE_NAME).tar.gz
RELEASE_CFLAGS  := -O2 -ffile-prefix-map=$(CURDIR)=.
RELEASE_LDFLAGS := -s
RELEASE_FILES   := docs/ebctl.1 completions/ebctl.bash completions/_ebctl LICENSE README.md

# The sub-make that builds the release binary sets STATIC_LINK=1.
ifeq ($(STATIC_LINK),1)
override LDLIBS := -Wl,-Bstatic $(shell pkg-config --libs $(LINK_PKGS)) -Wl,-Bdynamic -ldl -lpthread -lm
endif

.PHONY: release release-bin
release-bin:
	@for lib in jansson inih yaml; do \
		f=$$(pkg-config --variable=libdir $$( [ $$lib = yaml ] && echo yaml-0.1 || echo $$lib ))/lib$$lib.a; \
		[ -f "$$f" ] || { echo "make release: $$f is missing (install lib$$lib-dev)" >&2; exit 1; }; \
	done
	$(MAKE) BUILD=$(RELEASE_BUILD) EBCTL=$(RELEASE_BUILD)/ebctl STATIC_LINK=1 \
		CFLAGS='$(RELEASE_CFLAGS)' LDFLAGS='$(RELEASE_LDFLAGS)' SOURCE_DATE_EPOCH=$(RELEASE_EPOCH) \
		$(RELEASE_BUILD)/ebctl

release: RELEASE_EPOCH = $(or $(SOURCE_DATE_EPOCH),$(shell sh mk/build-info.sh epoch))
release-bin: RELEASE_EPOCH = $(or $(SOURCE_DATE_EPOCH),$(shell sh mk/build-info.sh epoch))
release: release-bin $(RELEASE_FILES)
	@rm -rf $(RELEASE_BUILD)/stage && mkdir -p $(RELEASE_BUILD)/stage/$(RELEASE_NAME)/completions $(RELEASE_DIR)
	cd $(RELEASE_BUILD)/stage/$(RELEASE_NAME) && \
		install -m 755 $(abspath $(RELEASE_BUILD))/ebctl ebctl && \
		install -m 644 $(addprefix $(CURDIR)/,docs/ebctl.1 LICENSE README.md) . && \
		install -m 644 $(addprefix $(CURDIR)/,completions/ebctl.bash completions/_ebctl) completions/ && \
		chmod 755 . completions
	tar -C $(RELEASE_BUILD)/stage --sort=name --format=gnu --mtime=@$(RELEASE_EPOCH) \
		--owner=0 --group=0 --numeric-owner -cf - $(RELEASE_NAME) | gzip -n -9 >$(RELEASE_TAR).tmp
	mv $(RELEASE_TAR).tmp $(RELEASE_TAR)
	@echo "release: $(RELEASE_TAR)"

.PHONY: clean-release
clean: clean-release
clean-release:
	rm -rf $(RELEASE_BUILD) ebctl-*-linux-x86_64.tar.gz $(DIST_TAR)

# make dist: ebctl-VERSION.tar.gz, the source of HEAD (git archive: the
# commit's files and dates, mk/commit filled in), which builds and passes
# make check when unpacked beside ../shared. ci/stages/40-dist.sh checks it.
DIST_TAR := ebctl-$(VERSION).tar.gz
.PHONY: dist
dist:
	@git rev-parse --verify -q HEAD >/dev/null 2>&1 || { echo "make dist: needs a git clone" >&2; exit 1; }
	@git diff-index --quiet HEAD -- || echo "make dist: warning: uncommitted changes are not in $(DIST_TAR)" >&2
	git archive --format=tar --prefix=ebctl-$(VERSION)/ HEAD | gzip -n -9 >$(DIST_TAR).tmp
	mv $(DIST_TAR).tmp $(DIST_TAR)
	@echo "dist: $(DIST_TAR)"
