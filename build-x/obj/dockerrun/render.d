build-x/obj/dockerrun/render.o: src/dockerrun/render.c \
 src/dockerrun/render.h src/dockerrun/internal.h \
 include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/render.h:
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
