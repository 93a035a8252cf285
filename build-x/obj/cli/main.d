build-x/obj/cli/main.o: src/cli/main.c include/ebctl/cli.h \
 include/ebctl/util.h include/ebctl/sigv4.h
include/ebctl/cli.h:
include/ebctl/util.h:
include/ebctl/sigv4.h:
