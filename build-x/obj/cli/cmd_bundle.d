build-x/obj/cli/cmd_bundle.o: src/cli/cmd_bundle.c include/ebctl/bundle.h \
 include/ebctl/cli.h include/ebctl/util.h
include/ebctl/bundle.h:
include/ebctl/cli.h:
include/ebctl/util.h:
