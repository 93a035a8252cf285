build-x/obj/env/config.o: src/env/config.c include/ebctl/env.h \
 include/ebctl/util.h
include/ebctl/env.h:
include/ebctl/util.h:
