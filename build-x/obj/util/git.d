build-x/obj/util/git.o: src/util/git.c include/ebctl/util.h
include/ebctl/util.h:
