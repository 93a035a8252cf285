build-x/obj/env/follow.o: src/env/follow.c include/ebctl/env.h \
 include/ebctl/util.h
include/ebctl/env.h:
include/ebctl/util.h:
