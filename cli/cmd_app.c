/* The Application commands: vela up, status, ls, delete and workflow resume. They talk to
 * the scheduler only through Kafka: Applications go to vela.applications, status comes from
 * vela.app-status (read to its end as a table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "model/application.h"
#include "cmd_app.h"
#include "cli.h"
#include "kafka/kq.h"
#include "kafka/kq_reject.h"
#include "kafka/kq_table.h"
#include "msg/app_record.h"
#include "msg/app_status.h"
#include "table.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "yaml/yemit.h"
#include "base/strbuf.h"
#include "base/clock.h"

#define APP_TABLE_TIMEOUT_MS 15000
#define APP_PRODUCE_TIMEOUT_MS 15000

/* The options of these commands, one struct for all (each command's table picks its rows). */
struct app_args {
    const char *name;
    const char *ns; /* NULL until -n: "default" then */
    const char *output;
    const char *file;
    int wait, force, yes, all;
    int64_t timeout_ms;
};

#define APP_NAMESPACE                                                                              \
    {                                                                                              \
        .name = "namespace", .letter = 'n', .kind = CMDLINE_STRING,                                \
        .offset = offsetof(struct app_args, ns), .arg = "NAMESPACE",                               \
        .help = "the Application's namespace (default \"default\")"                                \
    }
#define APP_WAIT(what)                                                                             \
    {                                                                                              \
        .name = "wait", .kind = CMDLINE_FLAG, .offset = offsetof(struct app_args, wait),           \
        .help = (what)                                                                             \
    }
#define APP_TIMEOUT                                                                                \
    {                                                                                              \
        .name = "timeout", .kind = CMDLINE_DURATION, .arg = "DURATION", .min = 1,                  \
        .offset = offsetof(struct app_args, timeout_ms),                                           \
        .help = "how long --wait waits (default 5m)"                                               \
    }

static const cmdline_opt up_opts[] = {
    {.name = "file",
     .letter = 'f',
     .kind = CMDLINE_STRING,
     .flags = CMDLINE_REQUIRED,
     .offset = offsetof(struct app_args, file),
     .arg = "FILE",
     .help = "the Application (YAML or JSON; - reads stdin)"},
    APP_WAIT("follow the workflow until the Application is running (exit 0) or fails\n"
             "(exit 1)"),
    APP_TIMEOUT,
    {0},
};
static const cmdline_cmd up_cmd = {
    .name = "vela up",
    .about = "Validates an Application and submits it to vela.applications. A changed spec\n"
             "becomes the next revision and restarts its workflow; submitting the same spec\n"
             "again changes nothing.\n",
};

static const char *const status_formats[] = {"table", "json", "yaml", NULL};
static const cmdline_opt status_opts[] = {
    APP_NAMESPACE,
    {.name = "output",
     .letter = 'o',
     .kind = CMDLINE_ENUM,
     .choices = status_formats,
     .offset = offsetof(struct app_args, output),
     .help = "table (default), json or yaml: the vela.app-status record"},
    {0},
};
static const cmdline_cmd status_cmd = {
    .name = "vela status",
    .args = "APP",
    .min_args = 1,
    .max_args = 1,
    .about = "Shows an Application's phase, workflow steps and services per cluster.\n",
};

static const cmdline_opt ls_opts[] = {
    {.name = "namespace",
     .letter = 'n',
     .kind = CMDLINE_STRING,
     .offset = offsetof(struct app_args, ns),
     .arg = "NAMESPACE",
     .help = "only this namespace (default \"default\")"},
    {.name = "all-namespaces",
     .letter = 'A',
     .kind = CMDLINE_FLAG,
     .offset = offsetof(struct app_args, all),
     .help = "every namespace (not with -n)"},
    {0},
};
static const cmdline_cmd ls_cmd = {
    .name = "vela ls",
    .about = "Lists Applications with their components, phase and health.\n",
};

static const cmdline_opt delete_opts[] = {
    APP_NAMESPACE,
    APP_WAIT("wait until everything is deleted"),
    APP_TIMEOUT,
    {.name = "force",
     .kind = CMDLINE_FLAG,
     .offset = offsetof(struct app_args, force),
     .help = "give up on clusters that cannot be reached"},
    {.name = "yes",
     .letter = 'y',
     .kind = CMDLINE_FLAG,
     .offset = offsetof(struct app_args, yes),
     .help = "do not ask for confirmation"},
    {0},
};
static const cmdline_cmd delete_cmd = {
    .name = "vela delete",
    .args = "APP",
    .min_args = 1,
    .max_args = 1,
    .about = "Deletes an Application: all its resources on all clusters, then its status.\n",
};

static const cmdline_opt workflow_opts[] = {
    APP_NAMESPACE,
    {0},
};
static const cmdline_cmd workflow_resume_cmd = {
    .name = "vela workflow resume",
    .args = "APP",
    .min_args = 1,
    .max_args = 1,
    .about = "Resumes the suspended steps of an Application's workflow (suspend steps, and\n"
             "deploy steps with auto: false).\n",
};
static const cmdline_cmd workflow_restart_cmd = {
    .name = "vela workflow restart",
    .args = "APP",
    .min_args = 1,
    .max_args = 1,
    .about = "Runs the current revision's workflow again from its first step, e.g. after a\n"
             "failed workflow's cause was fixed in the clusters.\n",
};

/* Parses a command's line into a (defaults first); the APP argument, when the command
 * takes one, into a->name. Returns CMDLINE_CONTINUE or the exit status. */
static int app_parse_args(const cmdline_cmd *cmd, const cmdline_opt *table, int argc, char **argv,
                          vela_opts *opts, struct app_args *a)
{
    cmdline_args pos;
    memset(a, 0, sizeof(*a));
    a->timeout_ms = 5 * 60 * 1000;
    int rc = cli_parse(cmd, table, a, opts, argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    if (pos.argc > 0)
        a->name = pos.argv[0]; /* points into argv */
    cmdline_args_release(&pos);
    if (a->all && a->ns)
        return cmdline_usage_error("-A and -n exclude each other; see '%s --help'", cmd->name);
    if (!a->ns)
        a->ns = "default";
    return CMDLINE_CONTINUE;
}

/* ---- shared helpers ---- */

static kq_table *app_open_table(const vela_opts *o, const char *suffix)
{
    char topic[256], err[512];
    kq_table *t;
    kq_topic_name(o, suffix, topic, sizeof(topic));
    if (!(t = kq_table_new(o, topic, NULL, NULL, err, sizeof(err))) ||
        kq_table_sync(t, APP_TABLE_TIMEOUT_MS, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: cannot read %s from %s: %s\n", topic, o->bootstrap_servers, err);
        kq_table_free(t);
        return NULL;
    }
    return t;
}

/* Whether the refusal of the record at (partition, offset) was already reported by this
 * process: `vela up --wait` reads the same record many times, and says so once. */
static bool app_reported(int32_t partition, int64_t offset)
{
    static json_t *seen;
    char k[48];
    if (!seen)
        seen = json_object();
    snprintf(k, sizeof(k), "%d:%lld", (int)partition, (long long)offset);
    if (json_object_get(seen, k))
        return true;
    json_object_set_new(seen, k, json_true());
    return false;
}

/* The status record of key, decoded by its codec and written back as JSON in the codec's
 * shape (a new reference), or NULL when there is none or it does not decode; a record
 * that does not decode is reported once (record refused, with its partition and offset). */
static json_t *app_status_get(kq_table *t, const char *key)
{
    size_t len = 0;
    char err[1024];
    const char *raw = kq_table_get(t, key, &len);
    msg_app_status st;
    if (!raw)
        return NULL;
    json_t *out = NULL;
    if (msg_app_status_decode(raw, len, &st, err, sizeof(err)) == 0) {
        out = msg_app_status_encode(&st);
    } else {
        int32_t partition = -1;
        int64_t offset = -1;
        kq_table_where(t, key, &partition, &offset);
        if (!app_reported(partition, offset))
            kq_reject_report(kq_table_topic(t), partition, offset, key, strlen(key), err);
    }
    msg_app_status_release(&st);
    return out;
}

static int app_produce(const vela_opts *o, const char *key, const char *value, size_t len)
{
    char topic[256], err[512];
    kq_producer *p = kq_producer_new(o, NULL, NULL, err, sizeof(err));
    int rc = -1;
    kq_topic_name(o, KQ_TOPIC_APPLICATIONS, topic, sizeof(topic));
    if (!p) {
        fprintf(stderr, "error: %s\n", err);
        return -1;
    }
    rc = kq_produce(p, topic, key, strlen(key), value, len, NULL, err, sizeof(err));
    if (rc == 0 && kq_producer_flush(p, APP_PRODUCE_TIMEOUT_MS) > 0) {
        snprintf(err, sizeof(err), "the broker did not acknowledge the record within %ds",
                 APP_PRODUCE_TIMEOUT_MS / 1000);
        rc = -1;
    }
    if (rc < 0)
        fprintf(stderr, "error: cannot write %s to %s: %s\n", topic, o->bootstrap_servers, err);
    kq_producer_free(p);
    return rc;
}

/* Go's time format "2006-01-02 15:04:05 -0700 MST", local time, from RFC 3339 UTC. */
static void app_local_time(const char *rfc, char *buf, size_t n)
{
    int64_t ms = clock_parse_rfc3339(rfc);
    if (ms < 0) {
        snprintf(buf, n, "%s", rfc ? rfc : "");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
}

/* ---- vela status ---- */

static void app_print_status(const json_t *st)
{
    char created[64];
    json_t *wf = json_object_get(st, "workflow");
    const char *phase = json_string_value(json_object_get(st, "phase"));
    const char *message = json_string_value(json_object_get(st, "message"));
    size_t i, j;
    json_t *step, *svc, *t;

    app_local_time(json_string_value(json_object_get(st, "createdAt")), created, sizeof(created));
    printf("About:\n\n");
    printf("  Name:      \t%s\n", json_string_value(json_object_get(st, "name")));
    printf("  Namespace: \t%s\n", json_string_value(json_object_get(st, "namespace")));
    printf("  Created at:\t%s\n", created);
    printf("  Status:    \t%s\n", phase ? phase : "");
    if (message && *message && phase &&
        (strcmp(phase, "rendering") == 0 || strcmp(phase, "workflowFailed") == 0))
        printf("  Message:   \t%s\n", message);
    printf("\nWorkflow:\n\n");
    printf("  mode: %s\n", json_string_value(json_object_get(wf, "mode")));
    printf("  finished: %s\n", json_is_true(json_object_get(wf, "finished")) ? "true" : "false");
    printf("  Suspend: %s\n", json_is_true(json_object_get(wf, "suspend")) ? "true" : "false");
    printf("  Terminated: %s\n",
           json_is_true(json_object_get(wf, "terminated")) ? "true" : "false");
    printf("  Steps\n");
    json_array_foreach(json_object_get(wf, "steps"), i, step) {
        printf("  - id:%s\n", json_string_value(json_object_get(step, "id")));
        printf("    name:%s\n", json_string_value(json_object_get(step, "name")));
        printf("    type:%s\n", json_string_value(json_object_get(step, "type")));
        printf("    phase:%s\n", json_string_value(json_object_get(step, "phase")));
        printf("    message:%s\n", json_string_value(json_object_get(step, "message")));
    }
    printf("\nServices:\n\n");
    json_array_foreach(json_object_get(st, "services"), i, svc) {
        const char *msg = json_string_value(json_object_get(svc, "message"));
        printf("  - Name: %s\n", json_string_value(json_object_get(svc, "name")));
        printf("    Cluster: %s  Namespace: %s\n",
               json_string_value(json_object_get(svc, "cluster")),
               json_string_value(json_object_get(svc, "namespace")));
        printf("    Type: %s\n", json_string_value(json_object_get(svc, "type")));
        printf("    %s%s%s\n",
               json_is_true(json_object_get(svc, "healthy")) ? "Healthy" : "Unhealthy",
               msg && *msg ? " " : "", msg ? msg : "");
        json_t *traits = json_object_get(svc, "traits");
        if (json_array_size(traits) == 0) {
            printf("    No trait\n");
            continue;
        }
        printf("    Traits:\n      ");
        json_array_foreach(traits, j, t) {
            const char *tm = json_string_value(json_object_get(t, "message"));
            printf("%s%s %s%s%s", j ? "      " : "",
                   json_is_true(json_object_get(t, "healthy")) ? "✅" : "❌",
                   json_string_value(json_object_get(t, "type")), tm && *tm ? ": " : "",
                   tm ? tm : "");
        }
        printf("\n");
    }
}

int cmd_status(int argc, char **argv, vela_opts *opts)
{
    struct app_args a;
    char key[512];
    int rc = app_parse_args(&status_cmd, status_opts, argc, argv, opts, &a);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    const char *format = a.output ? a.output : "table";
    snprintf(key, sizeof(key), "%s/%s", a.ns, a.name);
    kq_table *t = app_open_table(opts, KQ_TOPIC_APP_STATUS);
    if (!t)
        return EXIT_FAIL;
    json_t *st = app_status_get(t, key);
    kq_table_free(t);
    if (!st) {
        kq_table *apps = app_open_table(opts, KQ_TOPIC_APPLICATIONS);
        int submitted = apps && kq_table_get(apps, key, NULL);
        kq_table_free(apps);
        if (submitted)
            fprintf(stderr,
                    "error: application \"%s\" in namespace \"%s\" has no status yet; "
                    "is vela-scheduler running?\n",
                    a.name, a.ns);
        else
            fprintf(stderr,
                    "error: application \"%s\" not found in namespace \"%s\"; run "
                    "'vela ls -A' to list Applications\n",
                    a.name, a.ns);
        return EXIT_FAIL;
    }
    if (strcmp(format, "json") == 0) {
        char *s = vela_json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
    } else if (strcmp(format, "yaml") == 0) {
        strbuf sb;
        strbuf_init(&sb, 0);
        int bad = yemit_json(&sb, st);
        if (!bad)
            fwrite(sb.data, 1, sb.len, stdout);
        strbuf_release(&sb);
        if (bad) {
            fprintf(stderr,
                    "error: cannot write the status of %s as YAML (out of memory); try "
                    "--output json\n",
                    key);
            json_decref(st);
            return EXIT_FAIL;
        }
    } else {
        app_print_status(st);
    }
    json_decref(st);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- vela up ---- */

/* Follows the status until the submitted spec (hash) is running or has failed. */
static int app_wait(const vela_opts *o, const char *key, const char *hash, int64_t timeout_ms)
{
    kq_table *t = app_open_table(o, KQ_TOPIC_APP_STATUS);
    int64_t start = now_ms();
    char last[4096] = "";
    int rc = EXIT_FAIL;
    if (!t)
        return EXIT_FAIL;
    printf("Waiting for %s to be running...\n", key);
    fflush(stdout);
    while (now_ms() - start < timeout_ms) {
        kq_table_poll(t, 100);
        json_t *st = app_status_get(t, key);
        const char *h = json_string_value(json_object_get(st, "specHash"));
        if (!st || !h || strcmp(h, hash) != 0) {
            json_decref(st);
            continue;
        }
        const char *phase = json_string_value(json_object_get(st, "phase"));
        char line[4096];
        size_t len = (size_t)snprintf(line, sizeof(line), "  revision %lld: %s",
                                      (long long)json_integer_value(
                                          json_object_get(st, "revision")),
                                      phase ? phase : "unknown");
        size_t i;
        json_t *step;
        json_array_foreach(json_object_get(json_object_get(st, "workflow"), "steps"), i, step) {
            if (len < sizeof(line))
                len += (size_t)snprintf(line + len, sizeof(line) - len, ", %s %s",
                                        json_string_value(json_object_get(step, "name")),
                                        json_string_value(json_object_get(step, "phase")));
        }
        if (strcmp(line, last) != 0) {
            printf("%s\n", line);
            fflush(stdout);
            snprintf(last, sizeof(last), "%s", line);
        }
        if (phase && strcmp(phase, "running") == 0) {
            printf("✅ %s is running (%.1fs)\n", key, (double)(now_ms() - start) / 1000.0);
            rc = EXIT_OK;
        } else if (phase &&
                   (strcmp(phase, "workflowFailed") == 0 || strcmp(phase, "rendering") == 0 ||
                    strcmp(phase, "workflowTerminated") == 0)) {
            fprintf(stderr, "error: %s: %s: %s\n", key, phase,
                    json_string_value(json_object_get(st, "message")));
            rc = EXIT_FAIL;
        } else {
            json_decref(st);
            continue;
        }
        json_decref(st);
        kq_table_free(t);
        return rc;
    }
    fprintf(stderr, "error: %s did not reach running within %llds (last: %s)\n", key,
            (long long)(timeout_ms / 1000), last[0] ? last + 2 : "no status for this spec yet");
    kq_table_free(t);
    return EXIT_FAIL;
}

int cmd_up(int argc, char **argv, vela_opts *opts)
{
    struct app_args a;
    char err[2048], key[512], hash[17];
    char *buf = NULL;
    size_t len = 0;
    app *parsed = NULL;
    json_t *doc = NULL, *current = NULL;
    int rc = app_parse_args(&up_cmd, up_opts, argc, argv, opts, &a);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    rc = EXIT_FAIL;
    if (read_file(a.file, ydoc_default_limits.max_bytes, &buf, &len, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    const char *shown = strcmp(a.file, "-") == 0 ? "<stdin>" : a.file;
    if (app_parse(buf, len, &parsed, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s:%s\n", shown, err);
        goto cleanup;
    }
    app_warnings_print(parsed, shown, stderr);
    ydoc_parse(buf, len, NULL, &doc, err, sizeof(err));
    app_spec_hash(json_object_get(doc, "spec"), hash);
    snprintf(key, sizeof(key), "%s/%s", parsed->ns, parsed->name);

    kq_table *apps = app_open_table(opts, KQ_TOPIC_APPLICATIONS);
    if (!apps)
        goto cleanup;
    int exists = kq_table_get(apps, key, NULL) != NULL;
    kq_table_free(apps);
    if (exists) {
        kq_table *st = app_open_table(opts, KQ_TOPIC_APP_STATUS);
        current = st ? app_status_get(st, key) : NULL;
        kq_table_free(st);
    }
    printf("Applying an application in vela K8s object format...\n");
    /* the record is the envelope of schemas/application.schema.json */
    char submitted[CLOCK_RFC3339_LEN];
    clock_rfc3339(wall_ms(), 0, submitted, sizeof(submitted));
    msg_app_record env;
    msg_app_record_init(&env);
    env.kind = MSG_APP_RECORD_ENVELOPE;
    env.application = doc; /* borrowed: not released below */
    env.source = buf;
    env.source_len = len;
    env.submitted_at = submitted;
    json_t *envj = msg_app_record_encode(&env);
    char *record = envj ? vela_json_dumps(envj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(envj);
    rc = record ? app_produce(opts, key, record, strlen(record)) : -1;
    free(record);
    if (rc < 0) {
        rc = EXIT_FAIL;
        goto cleanup;
    }
    char nsflag[300] = "";
    if (strcmp(parsed->ns, "default") != 0)
        snprintf(nsflag, sizeof(nsflag), " -n %s", parsed->ns);
    printf("\"%s object\" name=\"%s\" resource=\"core.oam.dev/v1beta1, Kind=Application\"\n",
           exists ? "patching" : "creating", parsed->name);
    printf("✅ App has been deployed 🚀🚀🚀\n");
    printf("    Port forward: vela port-forward %s%s\n", parsed->name, nsflag);
    printf("             SSH: vela exec %s%s\n", parsed->name, nsflag);
    printf("         Logging: vela logs %s%s\n", parsed->name, nsflag);
    printf("      App status: vela status %s%s\n", parsed->name, nsflag);
    if (json_array_size(parsed->components))
        printf("  Service status: vela status %s%s --svc %s\n", parsed->name, nsflag,
               json_string_value(json_object_get(json_array_get(parsed->components, 0), "name")));
    const char *cur_hash = json_string_value(json_object_get(current, "specHash"));
    if (cur_hash && strcmp(cur_hash, hash) == 0)
        printf("(the spec is unchanged: revision %lld, phase %s, stays as it is; 'vela workflow "
               "restart %s%s' runs its workflow again)\n",
               (long long)json_integer_value(json_object_get(current, "revision")),
               json_string_value(json_object_get(current, "phase")) ?: "unknown", parsed->name,
               nsflag);
    fflush(stdout);
    rc = a.wait ? app_wait(opts, key, hash, a.timeout_ms) : EXIT_OK;
cleanup:
    json_decref(current);
    json_decref(doc);
    app_free(parsed);
    free(buf);
    return rc;
}

/* ---- vela ls ---- */

int cmd_ls(int argc, char **argv, vela_opts *opts)
{
    struct app_args a;
    int rc = app_parse_args(&ls_cmd, ls_opts, argc, argv, opts, &a);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    kq_table *t = app_open_table(opts, KQ_TOPIC_APP_STATUS);
    if (!t)
        return EXIT_FAIL;
    size_t nkeys = 0;
    const char **keys = kq_table_keys(t, &nkeys);
    json_t *cells = json_array(); /* strings kept alive here */
    const char *header[] = {"APP",   "COMPONENT", "TYPE",   "TRAITS",
                            "PHASE", "HEALTHY",   "STATUS", "CREATED-TIME"};
    int ncols = a.all ? 9 : 8;
    if (a.all)
        json_array_append_new(cells, json_string("NAMESPACE"));
    for (int c = 0; c < 8; c++)
        json_array_append_new(cells, json_string(header[c]));
    for (size_t k = 0; k < nkeys; k++) {
        json_t *st = app_status_get(t, keys[k]);
        const char *ns = json_string_value(json_object_get(st, "namespace"));
        if (!st || !ns || (!a.all && strcmp(ns, a.ns) != 0)) {
            json_decref(st);
            continue;
        }
        char created[64];
        app_local_time(json_string_value(json_object_get(st, "createdAt")), created,
                       sizeof(created));
        json_t *seen = json_object();
        size_t i, j;
        json_t *svc, *tr;
        int first = 1;
        json_array_foreach(json_object_get(st, "services"), i, svc) {
            const char *name = json_string_value(json_object_get(svc, "name"));
            if (json_object_get(seen, name))
                continue;
            json_object_set_new(seen, name, json_true());
            strbuf traits;
            strbuf_init(&traits, 4096);
            json_array_foreach(json_object_get(svc, "traits"), j,
                               tr) { /* those that fit in 4 KiB */
                if (strbuf_addf(&traits, "%s%s", j ? "," : "",
                                json_string_value(json_object_get(tr, "type")) ?: "") < 0)
                    break;
            }
            /* healthy only when the service is healthy in every cluster */
            int healthy = 1;
            size_t m;
            json_t *other;
            json_array_foreach(json_object_get(st, "services"), m, other) {
                if (json_equal(json_object_get(other, "name"), json_object_get(svc, "name")) &&
                    !json_is_true(json_object_get(other, "healthy")))
                    healthy = 0;
            }
            if (a.all)
                json_array_append_new(cells, json_string(first ? ns : ""));
            json_array_append_new(
                cells, json_string(first ? json_string_value(json_object_get(st, "name")) : "├─"));
            json_array_append_new(cells, json_string(name));
            json_array_append_new(cells, json_object_get(svc, "type")
                                             ? json_copy(json_object_get(svc, "type"))
                                             : json_string(""));
            json_array_append_new(cells, json_string(traits.data ? traits.data : ""));
            json_array_append_new(cells,
                                  json_string(json_string_value(json_object_get(st, "phase"))));
            json_array_append_new(cells, json_string(healthy ? "healthy" : "unhealthy"));
            json_array_append_new(cells, json_copy(json_object_get(svc, "message")));
            json_array_append_new(cells, json_string(first ? created : ""));
            strbuf_release(&traits);
            first = 0;
        }
        if (first) { /* no services yet */
            if (a.all)
                json_array_append_new(cells, json_string(ns));
            json_array_append_new(cells,
                                  json_string(json_string_value(json_object_get(st, "name"))));
            for (int c = 0; c < 3; c++)
                json_array_append_new(cells, json_string(""));
            json_array_append_new(cells,
                                  json_string(json_string_value(json_object_get(st, "phase"))));
            json_array_append_new(cells, json_string(""));
            json_array_append_new(cells, json_string(""));
            json_array_append_new(cells, json_string(created));
        }
        json_decref(seen);
        json_decref(st);
    }
    size_t n = json_array_size(cells);
    const char **flat = xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        flat[i] = json_string_value(json_array_get(cells, i))
                      ? json_string_value(json_array_get(cells, i))
                      : "";
    table_print(stdout, flat, n / (size_t)ncols, (size_t)ncols, NULL);
    free(flat);
    free(keys);
    json_decref(cells);
    kq_table_free(t);
    return EXIT_OK;
}

/* ---- vela delete / workflow resume ---- */

/* Re-submits the current record of key with an annotation set (same spec: no new revision). */
static int app_annotate(const vela_opts *o, const char *key, const char *ann, const char *value)
{
    kq_table *apps = app_open_table(o, KQ_TOPIC_APPLICATIONS);
    size_t len = 0;
    json_t *doc = NULL;
    char err[1024];
    int rc = -1;
    if (!apps)
        return -1;
    const char *raw = kq_table_get(apps, key, &len);
    if (!raw) {
        fprintf(stderr, "error: application \"%s\" not found; run 'vela ls -A'\n", key);
        goto cleanup;
    }
    if (ydoc_parse(raw, len, NULL, &doc, err, sizeof(err)) < 0 || !json_is_object(doc)) {
        fprintf(stderr, "error: the current record of \"%s\" is not a valid document: %s\n", key,
                err);
        goto cleanup;
    }
    json_t *target = doc; /* the Application itself, or inside the envelope */
    msg_app_record rec;
    if (msg_app_record_decode(raw, len, &rec, err, sizeof(err)) < 0) {
        msg_app_record_release(&rec);
        fprintf(stderr, "error: the current record of \"%s\" cannot be read: %s\n", key, err);
        goto cleanup;
    }
    if (rec.kind == MSG_APP_RECORD_ENVELOPE)
        target = json_object_get(doc, "application");
    msg_app_record_release(&rec);
    json_t *meta = json_object_get(target, "metadata");
    if (!json_is_object(meta)) {
        meta = json_object();
        json_object_set_new(target, "metadata", meta);
    }
    json_t *anns = json_object_get(meta, "annotations");
    if (!json_is_object(anns)) {
        anns = json_object();
        json_object_set_new(meta, "annotations", anns);
    }
    json_object_set_new(anns, ann, json_string(value));
    char *out = vela_json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    rc = app_produce(o, key, out, strlen(out));
    free(out);
cleanup:
    json_decref(doc);
    kq_table_free(apps);
    return rc;
}

/* vela workflow resume / restart: an annotation on the current record (no new revision). */
static int app_workflow(int argc, char **argv, vela_opts *opts, int restart)
{
    struct app_args a;
    char key[512], token[64];
    int rc = app_parse_args(restart ? &workflow_restart_cmd : &workflow_resume_cmd, workflow_opts,
                            argc, argv, opts, &a);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    snprintf(key, sizeof(key), "%s/%s", a.ns, a.name);
    kq_table *t = app_open_table(opts, KQ_TOPIC_APP_STATUS);
    if (!t)
        return EXIT_FAIL;
    json_t *st = app_status_get(t, key);
    kq_table_free(t);
    if (!st) {
        fprintf(stderr,
                "error: application \"%s\" not found in namespace \"%s\"; run 'vela ls -A'\n",
                a.name, a.ns);
        return EXIT_FAIL;
    }
    const char *phase = json_string_value(json_object_get(st, "phase"));
    if (!restart && !json_is_true(json_object_get(json_object_get(st, "workflow"), "suspend"))) {
        fprintf(stderr,
                "error: the workflow of %s is not suspended (phase %s); nothing to resume%s\n", key,
                phase ? phase : "unknown",
                phase && strcmp(phase, "workflowFailed") == 0
                    ? "; run 'vela workflow restart' to run it again"
                    : "");
        json_decref(st);
        return EXIT_FAIL;
    }
    json_decref(st);
    snprintf(token, sizeof(token), "%lld", (long long)time(NULL) * 1000 + now_ms() % 1000);
    if (app_annotate(opts, key, restart ? "app.oam.dev/restart" : "app.oam.dev/resume", token) < 0)
        return EXIT_FAIL;
    printf("Successfully %s workflow: %s\n", restart ? "restart" : "resume", a.name);
    return EXIT_OK;
}

int cmd_workflow_resume(int argc, char **argv, vela_opts *opts)
{
    return app_workflow(argc, argv, opts, 0);
}

int cmd_workflow_restart(int argc, char **argv, vela_opts *opts)
{
    return app_workflow(argc, argv, opts, 1);
}

int cmd_delete(int argc, char **argv, vela_opts *opts)
{
    struct app_args a;
    char key[512];
    int rc = app_parse_args(&delete_cmd, delete_opts, argc, argv, opts, &a);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    snprintf(key, sizeof(key), "%s/%s", a.ns, a.name);
    if (!a.yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "error: not a terminal: confirm with -y\n");
            return EXIT_FAIL;
        }
        char answer[16] = "";
        printf("Deleting Application \"%s\" in namespace \"%s\"; are you sure? [y/N] ", a.name,
               a.ns);
        fflush(stdout);
        if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
            printf("Canceled.\n");
            return EXIT_FAIL;
        }
    }
    kq_table *apps = app_open_table(opts, KQ_TOPIC_APPLICATIONS);
    if (!apps)
        return EXIT_FAIL;
    int exists = kq_table_get(apps, key, NULL) != NULL;
    kq_table_free(apps);
    if (!exists) { /* already deleted, but maybe still being deleted: --force may help */
        kq_table *t = app_open_table(opts, KQ_TOPIC_APP_STATUS);
        exists = t && kq_table_get(t, key, NULL) != NULL;
        kq_table_free(t);
    }
    if (!exists) {
        fprintf(stderr,
                "error: application \"%s\" not found in namespace \"%s\"; run 'vela ls -A'\n",
                a.name, a.ns);
        return EXIT_FAIL;
    }
    /* --force: a deletion request (schemas/application.schema.json) before the tombstone */
    if (a.force) {
        msg_app_record del;
        msg_app_record_init(&del);
        del.kind = MSG_APP_RECORD_DELETION;
        del.force = true;
        json_t *dj = msg_app_record_encode(&del);
        char *force_record = vela_json_dumps(dj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(dj);
        int prc = app_produce(opts, key, force_record, strlen(force_record));
        free(force_record);
        if (prc < 0)
            return EXIT_FAIL;
    }
    if (app_produce(opts, key, NULL, 0) < 0)
        return EXIT_FAIL;
    printf("Deleting Application \"%s\"\n", a.name);
    if (!a.wait) {
        printf("app \"%s\" is being deleted from namespace \"%s\"\n", a.name, a.ns);
        return EXIT_OK;
    }
    kq_table *t = app_open_table(opts, KQ_TOPIC_APP_STATUS);
    if (!t)
        return EXIT_FAIL;
    int64_t start = now_ms();
    while (now_ms() - start < a.timeout_ms) {
        kq_table_poll(t, 100);
        if (!kq_table_get(t, key, NULL)) {
            printf("app \"%s\" deleted from namespace \"%s\"\n", a.name, a.ns);
            kq_table_free(t);
            return EXIT_OK;
        }
    }
    json_t *st = app_status_get(t, key);
    fprintf(stderr, "error: %s is still being deleted after %llds%s%s\n", key,
            (long long)(a.timeout_ms / 1000), st ? ": " : "",
            st ? json_string_value(json_object_get(st, "message")) : "");
    json_decref(st);
    kq_table_free(t);
    return EXIT_FAIL;
}
