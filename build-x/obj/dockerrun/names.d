build-x/obj/dockerrun/names.o: src/dockerrun/names.c \
 src/dockerrun/internal.h include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
