build-x/obj/cli/cmd_health.o: src/cli/cmd_health.c include/ebctl/cli.h \
 include/ebctl/util.h include/ebctl/env.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/env.h:
