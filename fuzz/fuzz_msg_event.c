/* Fuzz target: records of vela.events (written by workers, read by the scheduler and any
 * consumer). A decoded event must encode again and decode to the same bytes. Seeds:
 * fuzz/corpus/fuzz_msg_event. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msg_event ev;
    char err[1024];
    if (msg_event_decode((const char *)data, size, &ev, err, sizeof(err)) == 0) {
        size_t len;
        char *once = msg_event_encode_bytes(&ev, &len, err, sizeof(err));
        if (!once)
            abort(); /* decoded but does not encode */
        msg_event again;
        if (msg_event_decode(once, len, &again, err, sizeof(err)) < 0)
            abort(); /* encoded but does not decode */
        char *twice = msg_event_encode_bytes(&again, NULL, err, sizeof(err));
        if (!twice || strcmp(once, twice) != 0)
            abort(); /* not stable */
        free(twice);
        free(once);
        msg_event_release(&again);
    } else if (!err[0]) {
        abort(); /* refused without a reason */
    }
    msg_event_release(&ev);
    return 0;
}
