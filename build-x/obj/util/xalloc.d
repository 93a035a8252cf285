build-x/obj/util/xalloc.o: src/util/xalloc.c include/ebctl/util.h
include/ebctl/util.h:
