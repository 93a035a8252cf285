build-x/obj/bundle/zip.o: src/bundle/zip.c include/ebctl/bundle.h \
 include/ebctl/util.h
include/ebctl/bundle.h:
include/ebctl/util.h:
