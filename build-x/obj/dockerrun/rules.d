build-x/obj/dockerrun/rules.o: src/dockerrun/rules.c \
 include/ebctl/dockerrun.h include/ebctl/util.h
include/ebctl/dockerrun.h:
include/ebctl/util.h:
