build-x/obj/env/events.o: src/env/events.c include/ebctl/env.h \
 include/ebctl/util.h
include/ebctl/env.h:
include/ebctl/util.h:
