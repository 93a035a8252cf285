# Build information for `ebctl --version` (mk/build-info.sh): the header is
# rewritten only when what it says changes, so a build of an unchanged tree
# recompiles nothing, and a new commit recompiles main.c alone.
BUILD_INFO_H := $(BUILD)/gen/build_info.h
_ := $(shell mkdir -p $(BUILD)/gen && sh mk/build-info.sh header >$(BUILD_INFO_H).new && \
	{ cmp -s $(BUILD_INFO_H).new $(BUILD_INFO_H) || mv $(BUILD_INFO_H).new $(BUILD_INFO_H); }; \
	rm -f $(BUILD_INFO_H).new)

$(MAIN_OBJ): $(BUILD_INFO_H)
$(MAIN_OBJ): override CPPFLAGS += -I$(BUILD)/gen
