/* Signals and shutdown for the long-running programs, in one place: SIGINT and SIGTERM ask
 * the main loop to stop (they only set a flag), SIGPIPE is ignored so that a peer closing
 * a socket is an error return, not the end of the process. */
#ifndef VELA_SIGNALS_H
#define VELA_SIGNALS_H

#include <signal.h>

/* Set to the number of the first SIGINT or SIGTERM received; 0 until then. Main loops
 * test it and return; nothing else happens in the handler. */
extern volatile sig_atomic_t signals_stop;

/* Installs the handlers (sigaction, SA_RESTART off so blocking calls wake up). Returns 0,
 * or -1 if a handler could not be installed (errno set). */
int signals_install(void);

#endif
