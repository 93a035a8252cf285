# Embed templates/ in the binary for `ebctl init`: mk/gen-templates.sh turns
# every file under templates/ into a C array in $(BUILD)/gen/templates_data.c,
# compiled into the library, so an installed ebctl needs no templates/ tree.

TEMPLATE_FILES := $(shell find templates -type f 2>/dev/null | LC_ALL=C sort)
TEMPLATES_C    := $(BUILD)/gen/templates_data.c
TEMPLATES_O    := $(BUILD)/obj/gen/templates_data.o
TEMPLATES_LIST := $(BUILD)/gen/templates.list

# A file removed from templates/ must regenerate too: keep the list of names
# in a file that changes only when the list does.
_ := $(shell mkdir -p $(BUILD)/gen && echo '$(TEMPLATE_FILES)' > $(TEMPLATES_LIST).new && \
	{ cmp -s $(TEMPLATES_LIST).new $(TEMPLATES_LIST) || mv $(TEMPLATES_LIST).new $(TEMPLATES_LIST); }; \
	rm -f $(TEMPLATES_LIST).new)

$(TEMPLATES_C): mk/gen-templates.sh $(TEMPLATE_FILES) $(TEMPLATES_LIST)
	@mkdir -p $(dir $@)
	sh mk/gen-templates.sh templates >$@.tmp && mv $@.tmp $@

$(TEMPLATES_O): $(TEMPLATES_C) include/ebctl/templates.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(TEMPLATES_O)
