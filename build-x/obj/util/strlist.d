build-x/obj/util/strlist.o: src/util/strlist.c include/ebctl/util.h
include/ebctl/util.h:
