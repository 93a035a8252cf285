build-x/obj/util/buf.o: src/util/buf.c include/ebctl/util.h
include/ebctl/util.h:
