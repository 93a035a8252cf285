build-x/obj/dockerrun/render_ecs.o: src/dockerrun/render_ecs.c \
 src/dockerrun/render.h src/dockerrun/internal.h \
 include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/render.h:
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
