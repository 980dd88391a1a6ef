/* Fuzz target: records of vela.clusters (written by any producer), as workers and the
 * scheduler read them. */
#include <stdint.h>
#include <stdlib.h>

#include "msg/cluster_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cluster_record r;
    char err[1024];
    cluster_record_init(&r);
    if (cluster_record_parse((const char *)data, size, &r, err, sizeof(err)) == 0) {
        json_t *j = cluster_record_to_json(&r);
        json_decref(j);
    }
    cluster_record_release(&r);
    return 0;
}
