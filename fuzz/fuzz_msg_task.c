/* Fuzz target: records of vela.tasks.<region> (written by the scheduler, or by anyone with
 * access to the topic), as workers decode them. A decoded task must encode again and decode
 * to the same bytes. Seeds: fuzz/corpus/fuzz_msg_task. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msg_task t;
    char err[1024];
    if (msg_task_decode((const char *)data, size, &t, err, sizeof(err)) == 0) {
        size_t len;
        char *once = msg_task_encode_bytes(&t, &len, err, sizeof(err));
        if (!once)
            abort(); /* decoded but does not encode */
        msg_task again;
        if (msg_task_decode(once, len, &again, err, sizeof(err)) < 0)
            abort(); /* encoded but does not decode */
        char *twice = msg_task_encode_bytes(&again, NULL, err, sizeof(err));
        if (!twice || strcmp(once, twice) != 0)
            abort(); /* not stable */
        free(twice);
        free(once);
        msg_task_release(&again);
    } else if (!err[0]) {
        abort(); /* refused without a reason */
    }
    msg_task_release(&t);
    return 0;
}
