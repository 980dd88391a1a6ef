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
    cmdline_list files;
    const char *format;
    const char *ns;
    int merge;
    cmdline_list clusters;
};

static const char *const dry_run_formats[] = {"yaml", "json", NULL};
static const cmdline_opt dry_run_opts[] = {
    {.name = "file",
     .letter = 'f',
     .kind = CMDLINE_LIST,
     .flags = CMDLINE_REQUIRED,
     .offset = offsetof(struct dry_run_args, files),
     .arg = "FILE",
     .help = "the Application (YAML or JSON; - reads stdin); repeatable or\n"
             "comma-separated: one Application plus Policy and Workflow files\n"
             "(core.oam.dev/v1alpha1)"},
    {.name = "namespace",
     .letter = 'n',
     .kind = CMDLINE_STRING,
     .offset = offsetof(struct dry_run_args, ns),
     .arg = "NAMESPACE",
     .help = "the namespace of an Application that names none (default \"default\")"},
    {.name = "merge",
     .kind = CMDLINE_FLAG,
     .offset = offsetof(struct dry_run_args, merge),
     .help = "use Policy and Workflow files the Application does not reference\n"
             "(without it they are ignored with a warning, as KubeVela does)"},
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

/* The files of -f (repeatable, or comma-separated), each read and parsed: exactly one
 * Application, plus Policy and Workflow objects (core.oam.dev/v1alpha1) as KubeVela's dry-run
 * takes them. Without --merge those are ignored with a warning (KubeVela v1.9 adds them only
 * with --merge); with it each Policy is appended to spec.policies and a Workflow's steps
 * replace spec.workflow's. On success *a is the Application and *buf its text (for
 * locations), *shown its name for messages (both the caller's to free); errors are
 * printed. */
static int dry_run_load(const struct dry_run_args *args, char **buf, size_t *len, char **shown,
                        app **a)
{
    json_t *doc = NULL, *policies = json_array(), *workflow = NULL;
    char err[2048];
    int rc = -1;

    for (size_t i = 0; i < args->files.n; i++) {
        char *list = xstrdup(args->files.items[i]), *save = NULL;
        for (char *file = strtok_r(list, ",", &save); file; file = strtok_r(NULL, ",", &save)) {
            char *text = NULL;
            size_t n = 0;
            json_t *obj = NULL;
            const char *name = strcmp(file, "-") == 0 ? "<stdin>" : file;
            if (read_file(file, ydoc_default_limits.max_bytes, &text, &n, err, sizeof(err)) < 0) {
                fprintf(stderr, "error: %s\n", err);
                free(list);
                goto done;
            }
            if (ydoc_parse(text, n, NULL, &obj, err, sizeof(err)) < 0) {
                fprintf(stderr, "error: %s:%s\n", name, err);
                free(text);
                free(list);
                goto done;
            }
            const char *kind = json_string_value(json_object_get(obj, "kind"));
            const char *api = json_string_value(json_object_get(obj, "apiVersion"));
            bool v1alpha1 = api && strcmp(api, "core.oam.dev/v1alpha1") == 0;
            if (kind && v1alpha1 &&
                (strcmp(kind, "Policy") == 0 || strcmp(kind, "Workflow") == 0)) {
                bool policy = strcmp(kind, "Policy") == 0;
                if (!policy && workflow) {
                    fprintf(stderr, "error: %s: more than one Workflow given\n", name);
                    json_decref(obj);
                } else if (policy) {
                    json_array_append_new(policies, obj);
                } else {
                    workflow = obj;
                }
                free(text);
                continue;
            }
            if (*a || doc) {
                fprintf(stderr, "error: %s: more than one Application given\n", name);
                json_decref(obj);
                free(text);
                free(list);
                goto done;
            }
            /* anything else is read as the Application, whose checks say what is wrong */
            doc = obj;
            *buf = text;
            *len = n;
            *shown = xstrdup(name);
        }
        free(list);
    }
    if (!doc) {
        fprintf(stderr, "error: no Application given; pass it with -f\n");
        goto done;
    }
    json_t *meta = json_object_get(doc, "metadata");
    if (args->ns && json_is_object(meta) && !json_is_string(json_object_get(meta, "namespace")))
        json_object_set_new(meta, "namespace", json_string(args->ns));
    json_t *spec = json_object_get(doc, "spec");
    size_t i;
    json_t *p;
    json_array_foreach(policies, i, p) {
        const char *pname = json_string_value(
            json_object_get(json_object_get(p, "metadata"), "name"));
        if (!args->merge || !json_is_object(spec)) {
            fprintf(stderr, "warning: policy %s not referenced by application; ignored\n",
                    pname ? pname : "(unnamed)");
            continue;
        }
        json_t *list = json_object_get(spec, "policies");
        if (!json_is_array(list)) {
            list = json_array();
            json_object_set_new(spec, "policies", list);
        }
        json_t *entry = json_object();
        if (pname)
            json_object_set_new(entry, "name", json_string(pname));
        json_object_set(entry, "type", json_object_get(p, "type"));
        if (json_object_get(p, "properties"))
            json_object_set(entry, "properties", json_object_get(p, "properties"));
        json_array_append_new(list, entry);
    }
    if (workflow) {
        const char *wname = json_string_value(
            json_object_get(json_object_get(workflow, "metadata"), "name"));
        if (!args->merge || !json_is_object(spec))
            fprintf(stderr, "warning: workflow %s not referenced by application; ignored\n",
                    wname ? wname : "(unnamed)");
        else
            json_object_set_new(spec, "workflow",
                                json_pack("{s:O}", "steps", json_object_get(workflow, "steps")));
    }
    if (app_parse_doc(doc, *buf, *len, a, err, sizeof(err)) < 0) {
        doc = NULL; /* consumed */
        fprintf(stderr, "error: %s:%s\n", *shown, err);
        goto done;
    }
    doc = NULL;
    app_warnings_print(*a, *shown, stderr);
    rc = 0;
done:
    json_decref(doc);
    json_decref(policies);
    json_decref(workflow);
    return rc;
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
    char *buf = NULL, *shown = NULL;
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
    const char *format = args.format;
    if (dry_run_load(&args, &buf, &len, &shown, &a) < 0)
        goto cleanup;
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
    cmdline_list_release(&args.files);
    free(shown);
    cmdline_args_release(&pos);
    return rc;
}
