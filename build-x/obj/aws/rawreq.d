build-x/obj/aws/rawreq.o: src/aws/rawreq.c include/ebctl/sigv4.h \
 include/ebctl/util.h
include/ebctl/sigv4.h:
include/ebctl/util.h:
