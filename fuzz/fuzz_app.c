/* Fuzz target: YAML -> Application -> render -> YAML, the path every outside document
 * takes. Anything the parser accepts must validate, render and print without a crash, a
 * leak or undefined behaviour; errors must be located without one either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/application.h"
#include "model/render.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"
#include "base/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *aws;
    static cluster_ref clusters[4];
    char err[1024];
    app *a = NULL;
    json_t *plan = NULL;
    verr e;
    int line, col;

    if (!aws) {
        aws = json_pack("{s:s}", "provider", "AWS");
        clusters[0] = (cluster_ref){"beijing-1", NULL};
        clusters[1] = (cluster_ref){"beijing-2", NULL};
        clusters[2] = (cluster_ref){"us-west-1", aws};
        clusters[3] = (cluster_ref){"local", NULL};
    }
    if (app_parse((const char *)data, size, &a, err, sizeof(err)) < 0)
        return 0;
    for (int open = 0; open < 2; open++) {
        registry_view reg = {clusters, 4, open != 0};
        if (render_plan(a, &reg, &plan, &e) < 0) {
            ydoc_locate((const char *)data, size, e.path, &line, &col);
            continue;
        }
        strbuf out;
        strbuf_init(&out, 0);
        yemit_json(&out, plan);
        /* what we print must read back as the same tree */
        json_t *back = NULL;
        if (ydoc_parse(out.data, out.len, NULL, &back, err, sizeof(err)) < 0 ||
            !json_equal(back, plan))
            abort();
        json_decref(back);
        strbuf_release(&out);
        json_decref(plan);
        plan = NULL;
    }
    app_free(a);
    return 0;
}
