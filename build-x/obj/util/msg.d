build-x/obj/util/msg.o: src/util/msg.c include/ebctl/util.h
include/ebctl/util.h:
