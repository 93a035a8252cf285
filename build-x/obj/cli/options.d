build-x/obj/cli/options.o: src/cli/options.c include/ebctl/cli.h \
 include/ebctl/util.h include/ebctl/verdict.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/verdict.h:
