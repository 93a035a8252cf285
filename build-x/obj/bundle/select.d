build-x/obj/bundle/select.o: src/bundle/select.c include/ebctl/bundle.h \
 include/ebctl/util.h
include/ebctl/bundle.h:
include/ebctl/util.h:
