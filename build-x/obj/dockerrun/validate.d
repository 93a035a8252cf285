build-x/obj/dockerrun/validate.o: src/dockerrun/validate.c \
 src/dockerrun/internal.h include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
