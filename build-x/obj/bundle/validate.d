build-x/obj/bundle/validate.o: src/bundle/validate.c \
 include/ebctl/bundle.h include/ebctl/dockerrun.h include/ebctl/util.h
include/ebctl/bundle.h:
include/ebctl/dockerrun.h:
include/ebctl/util.h:
