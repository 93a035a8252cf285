build-x/obj/aws/sigv4.o: src/aws/sigv4.c include/ebctl/sigv4.h \
 include/ebctl/util.h
include/ebctl/sigv4.h:
include/ebctl/util.h:
