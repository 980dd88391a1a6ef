/* Fuzz target: records of vela.app-status, as the scheduler reads them back after a restart
 * and `vela status` reads them. What decodes must encode, and decode again to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jpool.h"
#include "msg/app_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msg_app_status st, again;
    char err[1024];
    if (msg_app_status_decode((const char *)data, size, &st, err, sizeof(err)) == 0) {
        json_t *j = msg_app_status_encode(&st);
        char *out = j ? vela_json_dumps(j, JSON_COMPACT) : NULL;
        if (!out)
            abort();
        if (msg_app_status_decode(out, strlen(out), &again, err, sizeof(err)) < 0)
            abort(); /* an encoding the decoder refuses */
        json_t *k = msg_app_status_encode(&again);
        if (!json_equal(j, k))
            abort();
        json_decref(k);
        msg_app_status_release(&again);
        free(out);
        json_decref(j);
    }
    msg_app_status_release(&st);
    return 0;
}
