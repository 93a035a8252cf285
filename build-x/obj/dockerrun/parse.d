build-x/obj/dockerrun/parse.o: src/dockerrun/parse.c \
 src/dockerrun/internal.h include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
