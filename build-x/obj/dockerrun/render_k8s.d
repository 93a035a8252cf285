build-x/obj/dockerrun/render_k8s.o: src/dockerrun/render_k8s.c \
 src/dockerrun/render.h src/dockerrun/internal.h \
 include/ebctl/dockerrun.h include/ebctl/util.h
src/dockerrun/render.h:
src/dockerrun/internal.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
