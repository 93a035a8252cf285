build-x/obj/env/verdict.o: src/env/verdict.c include/ebctl/verdict.h \
 include/ebctl/util.h
include/ebctl/verdict.h:
include/ebctl/util.h:
