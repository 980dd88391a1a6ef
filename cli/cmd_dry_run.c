/* vela dry-run: renders an Application offline, exactly as the scheduler would, against a
 * cluster registry given on the command line. No Kafka, no clusters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "model/application.h"
#include "cmd_dry_run.h"
#include "cli.h"
#include "model/render.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"
#include "base/strbuf.h"

struct dry_run_args {
    const char *file;
    const char *format;
    cmdline_list clusters;
};

static const char *const dry_run_formats[] = {"yaml", "json", NULL};
static const cmdline_opt dry_run_opts[] = {
    {.name = "file",
     .letter = 'f',
     .kind = CMDLINE_STRING,
     .flags = CMDLINE_REQUIRED,
     .offset = offsetof(struct dry_run_args, file),
     .arg = "FILE",
     .help = "the Application (YAML or JSON; - reads stdin)"},
    {.name = "cluster",
     .kind = CMDLINE_LIST,
     .offset = offsetof(struct dry_run_args, clusters),
     .arg = "NAME[:k=v,...]",
     .help = "a joined cluster and its labels, repeatable; these stand for the\n"
             "registry. Without any, cluster names listed in topology policies are\n"
             "taken as joined and label selectors match none."},
    {.name = "output",
     .letter = 'o',
     .kind = CMDLINE_ENUM,
     .choices = dry_run_formats,
     .offset = offsetof(struct dry_run_args, format),
     .help = "yaml (default): manifests as multi-document YAML, a comment header\n"
             "per step and cluster; json: the plan for tools"},
    {0},
};
static const cmdline_cmd dry_run_cmd = {
    .name = "vela dry-run",
    .about = "Validates an Application and prints what the scheduler would send to each\n"
             "cluster. No Kafka, no clusters.\n",
    .footer = "Exit status: 0 valid, 1 invalid or a step would fail (the reason names the field,\n"
              "line and column), 2 usage.\n",
};

#define DRY_RUN_MAX_CLUSTERS 4096

struct dry_run_registry {
    cluster_ref refs[DRY_RUN_MAX_CLUSTERS];
    json_t *labels[DRY_RUN_MAX_CLUSTERS];
    size_t n;
};

/* "NAME[:k=v,k=v]" into a registry entry. */
static int dry_run_add_cluster(struct dry_run_registry *r, const char *arg, char *err, size_t n)
{
    const char *colon = strchr(arg, ':');
    size_t name_len = colon ? (size_t)(colon - arg) : strlen(arg);
    json_t *labels = json_object();

    if (r->n == DRY_RUN_MAX_CLUSTERS) {
        json_decref(labels);
        return err_set(err, n, "too many --cluster options (at most %d)", DRY_RUN_MAX_CLUSTERS);
    }
    if (name_len == 0) {
        json_decref(labels);
        return err_set(err, n, "--cluster \"%s\": the cluster name is empty", arg);
    }
    if (colon && colon[1]) {
        char *copy = xstrdup(colon + 1), *save = NULL;
        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(kv, '=');
            if (!eq || eq == kv) {
                err_set(err, n, "--cluster \"%s\": label \"%s\" is not k=v", arg, kv);
                free(copy);
                json_decref(labels);
                return -1;
            }
            *eq = '\0';
            json_object_set_new(labels, kv, json_string(eq + 1));
        }
        free(copy);
    }
    for (size_t i = 0; i < r->n; i++) {
        if (strlen(r->refs[i].name) == name_len && strncmp(r->refs[i].name, arg, name_len) == 0) {
            json_decref(labels);
            return err_set(err, n, "--cluster \"%.*s\" is given twice", (int)name_len, arg);
        }
    }
    r->refs[r->n].name = xstrndup(arg, name_len);
    r->refs[r->n].labels = labels;
    r->labels[r->n] = labels;
    r->n++;
    return 0;
}

static void dry_run_registry_release(struct dry_run_registry *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free((char *)r->refs[i].name);
        json_decref(r->labels[i]);
    }
}

/* Appends the plan as commented YAML to out; -1 when a manifest cannot be emitted (libyaml
 * out of memory) or out's cap is reached. */
static int dry_run_print_yaml(const json_t *plan, strbuf *out)
{
    json_t *meta = json_object_get(plan, "application");
    json_t *wf = json_object_get(plan, "workflow");
    size_t i, j, k;
    json_t *step, *pl, *m, *c;
    int bad = 0;

    bad |= strbuf_addf(out, "# Application %s (namespace %s), workflow mode %s\n",
                       json_string_value(json_object_get(meta, "name")),
                       json_string_value(json_object_get(meta, "namespace")),
                       json_string_value(json_object_get(wf, "mode")));
    json_array_foreach(json_object_get(wf, "steps"), i, step) {
        const char *sname = json_string_value(json_object_get(step, "name"));
        const char *stype = json_string_value(json_object_get(step, "type"));
        if (strcmp(stype, "deploy") != 0) {
            bad |= strbuf_addf(out, "# step %s (%s): waits for 'vela workflow resume'%s\n", sname,
                               stype,
                               json_object_get(step, "durationMs") ? " or its duration" : "");
            continue;
        }
        if (json_array_size(json_object_get(step, "placements")) == 0)
            bad |= strbuf_addf(out, "# step %s (deploy): no placement\n", sname);
        json_array_foreach(json_object_get(step, "placements"), j, pl) {
            bad |= strbuf_addf(out, "# step %s (deploy): cluster %s, namespace %s\n", sname,
                               json_string_value(json_object_get(pl, "cluster")),
                               json_string_value(json_object_get(pl, "namespace")));
            json_array_foreach(json_object_get(pl, "components"), k, c) {
                json_t *traits = json_object_get(c, "traits");
                bad |= strbuf_addf(out, "#   component %s (%s)",
                                   json_string_value(json_object_get(c, "name")),
                                   json_string_value(json_object_get(c, "type")));
                for (size_t t = 0; t < json_array_size(traits); t++)
                    bad |= strbuf_addf(out, "%s%s", t ? ", " : " traits: ",
                                       json_string_value(json_array_get(traits, t)));
                bad |= strbuf_adds(out, "\n");
            }
            json_array_foreach(json_object_get(pl, "manifests"), k, m) {
                bad |= yemit_json(out, m);
            }
        }
    }
    return bad ? -1 : 0;
}

/* Prints "error: FILE:LINE:COL: path: message" for a rendering error. */
static void dry_run_report(const char *file, const char *buf, size_t len, const verr *e)
{
    int line = 0, col = 0;
    if (e->path[0])
        ydoc_locate(buf, len, e->path, &line, &col);
    if (line > 0)
        fprintf(stderr, "error: %s:%d:%d: %s: %s\n", file, line, col, e->path, e->msg);
    else
        fprintf(stderr, "error: %s: %s\n", file, e->msg);
}

int cmd_dry_run(int argc, char **argv, vela_opts *opts)
{
    struct dry_run_args args = {.format = "yaml"};
    struct dry_run_registry *reg = xcalloc(1, sizeof(*reg));
    cmdline_args pos = {0};
    char err[2048];
    char *buf = NULL;
    size_t len = 0;
    app *a = NULL;
    json_t *plan = NULL;
    verr e;

    int rc = cli_parse(&dry_run_cmd, dry_run_opts, &args, opts, argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    rc = EXIT_FAIL;
    for (size_t i = 0; i < args.clusters.n; i++) {
        if (dry_run_add_cluster(reg, args.clusters.items[i], err, sizeof(err)) < 0) {
            rc = cmdline_usage_error("%s", err);
            goto cleanup;
        }
    }
    const char *file = args.file, *format = args.format;
    if (read_file(file, ydoc_default_limits.max_bytes, &buf, &len, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    const char *shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
    if (app_parse(buf, len, &a, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s:%s\n", shown, err);
        goto cleanup;
    }
    app_warnings_print(a, shown, stderr);
    registry_view view = {reg->refs, reg->n, reg->n == 0};
    if (render_plan(a, &view, &plan, &e) < 0) {
        dry_run_report(shown, buf, len, &e);
        if (view.open && strstr(e.msg, "no cluster matches labels"))
            fprintf(stderr, "hint: describe the registry with --cluster NAME:k=v,...\n");
        goto cleanup;
    }
    if (strcmp(format, "json") == 0) {
        char *s = vela_json_dumps(plan, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
    } else {
        strbuf out;
        strbuf_init(&out, 0);
        int bad = dry_run_print_yaml(plan, &out);
        if (!bad)
            fwrite(out.data, 1, out.len, stdout);
        strbuf_release(&out);
        if (bad) {
            fprintf(stderr,
                    "error: %s: cannot write the plan as YAML (out of memory); try "
                    "--output json\n",
                    shown);
            goto cleanup;
        }
    }
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
cleanup:
    json_decref(plan);
    app_free(a);
    free(buf);
    dry_run_registry_release(reg);
    free(reg);
    cmdline_list_release(&args.clusters);
    cmdline_args_release(&pos);
    return rc;
}
