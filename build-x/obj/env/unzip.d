build-x/obj/env/unzip.o: src/env/unzip.c include/ebctl/env.h \
 include/ebctl/util.h
include/ebctl/env.h:
include/ebctl/util.h:
