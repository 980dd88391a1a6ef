/* Fuzz target: records of vela.applications (written by any producer), classified and
 * decoded as the scheduler reads them. Envelopes and deletion requests must re-encode to
 * records that decode to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jpool.h"
#include "msg/app_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    msg_app_record r, again;
    char err[1024];
    if (msg_app_record_decode((const char *)data, size, &r, err, sizeof(err)) == 0 &&
        (r.kind == MSG_APP_RECORD_ENVELOPE || r.kind == MSG_APP_RECORD_DELETION)) {
        json_t *j = msg_app_record_encode(&r);
        char *out = j ? vela_json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (!out)
            abort();
        if (msg_app_record_decode(out, strlen(out), &again, err, sizeof(err)) < 0 ||
            again.kind != r.kind || again.force != r.force)
            abort();
        if (r.kind == MSG_APP_RECORD_ENVELOPE &&
            (!json_equal(again.application, r.application) || again.source_len != r.source_len ||
             (r.source && memcmp(again.source, r.source, r.source_len) != 0)))
            abort();
        msg_app_record_release(&again);
        free(out);
        json_decref(j);
    }
    msg_app_record_release(&r);
    return 0;
}
