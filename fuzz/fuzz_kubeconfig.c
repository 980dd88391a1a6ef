/* Fuzz target: kubeconfig files (outside input to `vela cluster join`). Whatever the text,
 * parsing returns cleanly: no crash, leak or undefined behaviour. */
#include <stdint.h>
#include <stdlib.h>

#include "kube/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kube_creds creds;
    char err[1024];
    if (kubeconfig_parse((const char *)data, size, "/nonexistent", NULL, &creds, err,
                         sizeof(err)) == 0) {
        json_t *j = kube_creds_to_json(&creds);
        kube_creds back;
        if (j && kube_creds_from_json(j, &back, err, sizeof(err)) == 0)
            kube_creds_release(&back);
        json_decref(j);
        kube_creds_release(&creds);
    }
    return 0;
}
