build-x/obj/dockerrun/report.o: src/dockerrun/report.c \
 include/ebctl/dockerrun.h include/ebctl/util.h src/dockerrun/internal.h
include/ebctl/dockerrun.h:
include/ebctl/util.h:
src/dockerrun/internal.h:
