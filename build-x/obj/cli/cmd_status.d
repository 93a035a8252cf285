build-x/obj/cli/cmd_status.o: src/cli/cmd_status.c include/ebctl/cli.h \
 include/ebctl/util.h include/ebctl/env.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/env.h:
