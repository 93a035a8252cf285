build-x/obj/cli/cmd_validate.o: src/cli/cmd_validate.c \
 include/ebctl/cli.h include/ebctl/util.h include/ebctl/dockerrun.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/dockerrun.h:
