/* core/sdnotify.h — readiness for service managers: the sd_notify datagram protocol
 * (systemd Type=notify), written here because it is one sendto() and not worth a
 * dependency. A no-op when NOTIFY_SOCKET is not set. */
#ifndef CORRAL_CORE_SDNOTIFY_H
#define CORRAL_CORE_SDNOTIFY_H

/* Send state, e.g. "READY=1" or "STOPPING=1". 0 when sent or not asked for, -1 on error. */
int sd_notify_state(const char *state);

#endif
