build-x/obj/util/fs.o: src/util/fs.c include/ebctl/util.h
include/ebctl/util.h:
