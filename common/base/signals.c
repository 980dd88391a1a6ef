/* SIGINT/SIGTERM set signals_stop; SIGPIPE is ignored (see signals.h). */
#include "base/signals.h"

#include <string.h>

volatile sig_atomic_t signals_stop;

static void signals_on_stop(int sig)
{
    signals_stop = sig;
}

int signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = signals_on_stop;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL);
}
