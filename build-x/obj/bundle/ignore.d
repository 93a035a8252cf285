build-x/obj/bundle/ignore.o: src/bundle/ignore.c include/ebctl/bundle.h \
 include/ebctl/util.h
include/ebctl/bundle.h:
include/ebctl/util.h:
