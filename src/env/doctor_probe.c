/* ebctl doctor --connect: the first step of Postgres' and Redis' protocols
 * from this machine, with a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ebctl/doctor.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events until deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = {fd, events, 0};
		long left = deadline - now_ms();
		int r;
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : r;
	}
}

static int connect_to(const char *host, int port, long deadline, char *msg, size_t msglen)
{
	struct addrinfo hints, *res = NULL, *a;
	char service[8];
	int fd = -1, rc, last = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(msg, msglen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (a = res; a; a = a->ai_next) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			rc = wait_fd(fd, POLLOUT, deadline);
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
			    soerr == 0)
				break;
			last = rc == 0 ? ETIMEDOUT : soerr ? soerr : errno;
		} else {
			last = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(msg, msglen, "cannot connect: %s",
		         last == ETIMEDOUT ? "timed out" : strerror(last));
	return fd;
}

/* Send all of data, then read what answers until want bytes or the deadline. */
static long exchange(int fd, const void *data, size_t len, char *in, size_t want, long deadline)
{
	size_t sent = 0, got = 0;
	while (sent < len) {
		ssize_t w;
		if (wait_fd(fd, POLLOUT, deadline) != 1)
			return -1;
		w = send(fd, (const char *)data + sent, len - sent, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (w > 0)
			sent += (size_t)w;
	}
	while (got < want) {
		ssize_t r;
		int wr = wait_fd(fd, POLLIN, deadline);
		if (wr != 1)
			return got ? (long)got : (wr == 0 ? -2 : -1);
		r = recv(fd, in + got, want - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(in, '\n', got))
			break;
	}
	return (long)got;
}

enum doctor_level doctor_probe(enum doctor_proto proto, const char *host, int port, long timeout_ms,
                               char *msg, size_t msglen)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 3000);
	int fd = connect_to(host, port, deadline, msg, msglen);
	char in[64];
	long n;
	enum doctor_level lv = DOCTOR_ERROR;

	if (fd < 0)
		return DOCTOR_ERROR;
	memset(in, 0, sizeof(in));
	if (proto == DOCTOR_PROTO_POSTGRES) {
		/* SSLRequest: length 8, code 80877103 (1234.5679) */
		static const unsigned char ssl[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
		n = exchange(fd, ssl, sizeof(ssl), in, 1, deadline);
		if (n == 1 && (in[0] == 'S' || in[0] == 'N')) {
			snprintf(msg, msglen, "Postgres answers (SSL %s)",
			         in[0] == 'S' ? "offered" : "not offered");
			lv = DOCTOR_OK;
		} else if (n == -2) {
			snprintf(msg, msglen,
			         "accepts connections but does not answer: not Postgres");
		} else {
			snprintf(msg, msglen, "answers, but not as Postgres does: not Postgres");
		}
	} else {
		n = exchange(fd, "PING\r\n", 6, in, sizeof(in) - 1, deadline);
		if (n > 0 && !strncmp(in, "+PONG", 5)) {
			snprintf(msg, msglen, "Redis answers (PONG)");
			lv = DOCTOR_OK;
		} else if (n > 0 && (!strncmp(in, "-NOAUTH", 7) || !strncmp(in, "-ERR", 4) ||
		                     !strncmp(in, "-WRONGPASS", 10))) {
			snprintf(msg, msglen, "Redis answers and needs authentication");
			lv = DOCTOR_OK;
		} else if (n == -2) {
			snprintf(msg, msglen, "accepts connections but does not answer: not Redis");
		} else {
			snprintf(msg, msglen, "answers, but not with a Redis reply: not Redis");
		}
	}
	close(fd);
	return lv;
}
