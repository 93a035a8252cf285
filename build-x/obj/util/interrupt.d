build-x/obj/util/interrupt.o: src/util/interrupt.c include/ebctl/util.h
include/ebctl/util.h:
