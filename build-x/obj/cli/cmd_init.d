build-x/obj/cli/cmd_init.o: src/cli/cmd_init.c include/ebctl/cli.h \
 include/ebctl/util.h include/ebctl/templates.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/templates.h:
