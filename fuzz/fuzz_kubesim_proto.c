/* Fuzz target: protobuf request bodies that vela-kubesim decodes (kubesim/proto.c). */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "../kubesim/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    json_t *v = ks_proto_decode(data, size, err, sizeof(err));
    json_decref(v);
    return 0;
}
