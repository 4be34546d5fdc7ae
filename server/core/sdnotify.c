/* core/sdnotify.c — one datagram to $NOTIFY_SOCKET ('@' = abstract namespace). */
#include "core/sdnotify.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
sd_notify_state(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	/* A union, so that sendto() gets a struct sockaddr without a pointer cast. */
	union {
		struct sockaddr any;
		struct sockaddr_un un;
	} addr = { .un = { .sun_family = AF_UNIX } };
	size_t n;
	int fd, rc;

	if (path == NULL || *path == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof addr.un.sun_path)
		return -1;
	memcpy(addr.un.sun_path, path, n);
	if (addr.un.sun_path[0] == '@')
		addr.un.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL, &addr.any,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0 ? -1 : 0;
	close(fd);
	return rc;
}
