build-x/obj/util/parse.o: src/util/parse.c include/ebctl/util.h
include/ebctl/util.h:
