build-x/obj/util/time.o: src/util/time.c include/ebctl/util.h
include/ebctl/util.h:
