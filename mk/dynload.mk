# The forwarders of the libraries loaded on first use: mk/gen-dynload.sh
# writes them from src/util/dynload.list into BUILD/gen/dynload_gen.c,
# which src/util/dynload.c includes. (mk/fuzz.mk points its own build at
# the same rule.)
DYNLOAD_LIST := src/util/dynload.list

%/gen/dynload_gen.c: mk/gen-dynload.sh $(DYNLOAD_LIST)
	@mkdir -p $(dir $@)
	sh mk/gen-dynload.sh $(DYNLOAD_LIST) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/util/dynload.o: $(BUILD)/gen/dynload_gen.c
$(BUILD)/obj/util/dynload.o: override CPPFLAGS += -I$(BUILD)/gen
