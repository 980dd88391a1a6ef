/* The scheduler's workflow engine, driven directly: records, events and registry changes in,
 * tasks and status records out (captured by a fake engine_io). */
#include "enginetest.h"

struct sink {
    json_t *tasks;    /* [{cluster, region, task}] */
    json_t *statuses; /* key -> last status (null: tombstone) */
    int nstatus;
};

static int sink_task(void *ctx, const char *cluster, const char *region, const json_t *task)
{
    struct sink *s = ctx;
    json_array_append_new(s->tasks, json_pack("{s:s,s:s,s:O}", "cluster", cluster, "region", region,
                                              "task", task));
    return 0;
}

static int sink_status(void *ctx, const char *key, const json_t *status)
{
    struct sink *s = ctx;
    json_object_set_new(s->statuses, key, status ? json_deep_copy(status) : json_null());
    s->nstatus++;
    return 0;
}

struct fixture {
    struct sink sink;
    engine *e;
    int64_t now;
    json_t *labels_aws;
};

static void set_seed_clusters(struct fixture *f, int aws_labelled)
{
    et_seed_clusters(f->e, aws_labelled ? f->labels_aws : NULL, f->now);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    engine_opts o;
    engine_opts_init(&o);
    o.max_attempts = 3;
    o.backoff_ms = 1000;
    o.status_min_ms = 0;
    f->sink.tasks = json_array();
    f->sink.statuses = json_object();
    engine_io io = {sink_task, sink_status, &f->sink};
    f->e = engine_new(&io, &o);
    f->now = 1764000000000LL;
    f->labels_aws = json_pack("{s:s}", "provider", "AWS");
    set_seed_clusters(f, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    engine_free(f->e);
    json_decref(f->sink.tasks);
    json_decref(f->sink.statuses);
    json_decref(f->labels_aws);
    free(f);
    return 0;
}

/* A new scheduler: a fresh engine with the same registry and no tasks seen yet. */
static void restart_engine(struct fixture *f)
{
    engine_opts o;
    engine_free(f->e);
    json_array_clear(f->sink.tasks);
    engine_opts_init(&o);
    o.status_min_ms = 0;
    engine_io io = {sink_task, sink_status, &f->sink};
    f->e = engine_new(&io, &o);
    set_seed_clusters(f, 1);
}

static void tick(struct fixture *f, int64_t advance_ms)
{
    f->now += advance_ms;
    engine_tick(f->e, f->now);
}

static void submit(struct fixture *f, const char *key, const char *yaml)
{
    engine_app_record(f->e, key, yaml, strlen(yaml), f->now, NULL, 0);
}

static void submit_example(struct fixture *f, const char *name)
{
    char *y = et_read_example(name);
    submit(f, "default/example-app", y);
    free(y);
}

static const json_t *status_of(struct fixture *f, const char *key)
{
    return json_object_get(f->sink.statuses, key);
}

static const char *phase_of(struct fixture *f, const char *key)
{
    return json_string_value(json_object_get(status_of(f, key), "phase"));
}

/* The tasks sent since index from, for a cluster (NULL: any); returns the last one. */
static json_t *last_task(struct fixture *f, const char *cluster, size_t from, size_t *count)
{
    json_t *found = NULL;
    size_t n = 0;
    for (size_t i = from; i < json_array_size(f->sink.tasks); i++) {
        json_t *t = json_array_get(f->sink.tasks, i);
        if (!cluster || strcmp(json_string_value(json_object_get(t, "cluster")), cluster) == 0) {
            found = json_object_get(t, "task");
            n++;
        }
    }
    if (count)
        *count = n;
    return found;
}

/* engine_app_load with the status as JSON (the scheduler hands it the record's bytes):
 * the return says what was refused (ENGINE_REFUSED_*). */
static int load_status(engine *e, const char *key, const char *yaml, size_t len,
                       const json_t *status, int64_t now)
{
    char serr[512], rerr[512];
    char *raw = status ? json_dumps(status, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    int rc = engine_app_load(e, key, yaml, len, raw, raw ? strlen(raw) : 0, now, serr, rerr,
                             sizeof(serr));
    free(raw);
    return rc;
}

/* What a worker would send for task (et_reply), at the fixture's time. */
static void reply(struct fixture *f, const json_t *task, const char *phase, const char *message,
                  const char *ready)
{
    et_reply(f->e, task, phase, message, ready, f->now);
}

static void reply_all(struct fixture *f, size_t from, const char *phase)
{
    size_t n = json_array_size(f->sink.tasks);
    for (size_t i = from; i < n; i++)
        reply(f, json_object_get(json_array_get(f->sink.tasks, i), "task"), phase, "", "Ready:3/3");
}

static long long replicas_in(const json_t *task)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(task, "manifests"), i, m) {
        if (strcmp(json_string_value(json_object_get(m, "kind")), "Deployment") == 0)
            return json_integer_value(json_object_get(json_object_get(m, "spec"), "replicas"));
    }
    return -1;
}

static void engine_basic_deploys_to_both_beijing_clusters_and_runs(void **state)
{
    struct fixture *f = *state;
    size_t n;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    assert_non_null(last_task(f, "beijing-1", 0, &n));
    assert_int_equal(n, 1);
    assert_non_null(last_task(f, "beijing-2", 0, &n));
    assert_null(last_task(f, "us-west-1", 0, NULL));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(f->sink.tasks, 0), "region")), "cn");
    assert_string_equal(phase_of(f, "default/example-app"), "runningWorkflow");
    reply_all(f, 0, "healthy");
    tick(f, 10);
    const json_t *st = status_of(f, "default/example-app");
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    json_t *wf = json_object_get(st, "workflow");
    assert_true(json_is_true(json_object_get(wf, "finished")));
    assert_string_equal(json_string_value(json_object_get(wf, "mode")), "DAG");
    json_t *step = json_array_get(json_object_get(wf, "steps"), 0);
    assert_string_equal(json_string_value(json_object_get(step, "name")),
                        "deploy-beijing-clusters");
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "succeeded");
    assert_int_equal(strlen(json_string_value(json_object_get(step, "id"))), 10);
    json_t *services = json_object_get(st, "services");
    assert_int_equal(json_array_size(services), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(services, 1), "cluster")),
                        "beijing-2");
    assert_string_equal(json_string_value(json_object_get(json_array_get(services, 0), "message")),
                        "Ready:3/3");
    assert_int_equal(json_integer_value(json_object_get(st, "revision")), 1);
}

static void engine_identical_resubmit_does_nothing_and_a_change_is_a_new_revision(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    size_t before = json_array_size(f->sink.tasks);
    submit_example(f, "basic.yaml");
    tick(f, 10);
    assert_int_equal(json_array_size(f->sink.tasks), before);
    assert_int_equal(
        json_integer_value(json_object_get(status_of(f, "default/example-app"), "revision")), 1);
    submit_example(f, "intermediate.yaml");
    tick(f, 10);
    assert_int_equal(
        json_integer_value(json_object_get(status_of(f, "default/example-app"), "revision")), 2);
    assert_non_null(last_task(f, "us-west-1", before, NULL));
    assert_string_equal(phase_of(f, "default/example-app"), "runningWorkflow");
}

static void engine_advanced_runs_step_by_step_with_five_replicas_in_aws(void **state)
{
    struct fixture *f = *state;
    size_t n;
    submit_example(f, "advanced.yaml");
    tick(f, 10);
    assert_null(last_task(f, "us-west-1", 0, NULL)); /* waits for deploy-beijing */
    assert_int_equal(replicas_in(last_task(f, "beijing-1", 0, NULL)), 3);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    json_t *aws = last_task(f, "us-west-1", 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(replicas_in(aws), 5);
    assert_string_equal(json_string_value(json_object_get(aws, "step")), "deploy-aws");
    reply(f, aws, "healthy", "", "Ready:5/5");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(status_of(f, "default/example-app"), "workflow"),
                            "mode")),
                        "StepByStep");
}

static void engine_failure_shows_the_api_message_retries_with_backoff_then_fails(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    json_t *t1 = last_task(f, "beijing-1", 0, NULL);
    reply(f, t1, "failed", "cluster beijing-1: namespaces \"multi-cluster\" not found", "");
    tick(f, 10);
    const json_t *st = status_of(f, "default/example-app");
    json_t *step = json_array_get(json_object_get(json_object_get(st, "workflow"), "steps"), 0);
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "failed");
    assert_string_equal(json_string_value(json_object_get(step, "message")),
                        "cluster beijing-1: namespaces \"multi-cluster\" not found");
    assert_string_equal(phase_of(f, "default/example-app"), "runningWorkflow");
    size_t before = json_array_size(f->sink.tasks);
    tick(f, 500); /* backoff 1 s: not yet */
    assert_int_equal(json_array_size(f->sink.tasks), before);
    tick(f, 600);
    json_t *t2 = last_task(f, "beijing-1", before, NULL);
    assert_non_null(t2);
    assert_int_equal(json_integer_value(json_object_get(t2, "attempt")), 2);
    step = json_array_get(
        json_object_get(json_object_get(status_of(f, "default/example-app"), "workflow"), "steps"),
        0);
    /* the retry is out: still failed, still saying why */
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "failed");
    assert_string_equal(json_string_value(json_object_get(step, "message")),
                        "cluster beijing-1: namespaces \"multi-cluster\" not found");
    reply(f, t2, "failed", "cluster beijing-1: namespaces \"multi-cluster\" not found", "");
    tick(f, 2100);
    json_t *t3 = last_task(f, "beijing-1", before + 1, NULL);
    assert_non_null(t3);
    reply(f, t3, "failed", "cluster beijing-1: namespaces \"multi-cluster\" not found", "");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "workflowFailed");
    assert_true(json_is_true(json_object_get(
        json_object_get(status_of(f, "default/example-app"), "workflow"), "terminated")));
}

static void engine_stale_events_of_an_old_attempt_are_ignored(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    json_t *t1 = json_deep_copy(last_task(f, "beijing-1", 0, NULL));
    reply(f, t1, "failed", "boom", "");
    tick(f, 1100);                            /* attempt 2 dispatched */
    reply(f, t1, "healthy", "", "Ready:3/3"); /* late event of attempt 1 */
    reply_all(f, 2, "healthy");
    tick(f, 10);
    json_t *step = json_array_get(
        json_object_get(json_object_get(status_of(f, "default/example-app"), "workflow"), "steps"),
        0);
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "running");
    json_decref(t1);
}

static void engine_suspend_step_waits_for_resume(void **state)
{
    struct fixture *f = *state;
    const char *yaml =
        "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: s}\n"
        "spec:\n  components: [{name: web, type: webservice, properties: {image: nginx}}]\n"
        "  policies: [{name: bj, type: topology, properties: {clusters: [beijing-1]}}]\n"
        "  workflow:\n    steps:\n      - {name: hold, type: suspend}\n"
        "      - {name: go, type: deploy, properties: {policies: [bj]}}\n";
    submit(f, "default/s", yaml);
    tick(f, 10);
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/s"), "workflowSuspending");
    assert_true(json_is_true(
        json_object_get(json_object_get(status_of(f, "default/s"), "workflow"), "suspend")));
    assert_int_equal(json_array_size(f->sink.tasks), 0);
    const char *with_ann =
        "apiVersion: core.oam.dev/v1beta1\nkind: Application\n"
        "metadata: {name: s, annotations: {app.oam.dev/resume: '1'}}\n"
        "spec:\n  components: [{name: web, type: webservice, properties: {image: nginx}}]\n"
        "  policies: [{name: bj, type: topology, properties: {clusters: [beijing-1]}}]\n"
        "  workflow:\n    steps:\n      - {name: hold, type: suspend}\n"
        "      - {name: go, type: deploy, properties: {policies: [bj]}}\n";
    submit(f, "default/s", with_ann);
    tick(f, 10);
    tick(f, 10);
    assert_int_equal(json_integer_value(json_object_get(status_of(f, "default/s"), "revision")), 1);
    assert_int_equal(json_array_size(f->sink.tasks), 1);
    assert_string_equal(phase_of(f, "default/s"), "runningWorkflow");
}

static void engine_gc_deletes_what_a_cluster_that_left_the_topology_had(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "intermediate.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    size_t before = json_array_size(f->sink.tasks);
    submit_example(f, "basic.yaml"); /* us-west-1 leaves */
    tick(f, 10);
    reply_all(f, before, "healthy");
    tick(f, 10);
    size_t n;
    json_t *del = last_task(f, "us-west-1", before, &n);
    assert_non_null(del);
    assert_string_equal(json_string_value(json_object_get(del, "kind")), "delete");
    assert_int_equal(json_array_size(json_object_get(del, "resources")), 3);
    assert_null(last_task(f, "beijing-1", before + 2, NULL)); /* nothing deleted in Beijing */
    reply(f, del, "deleted", "", "");
    tick(f, 10);
    json_t *inv = json_object_get(status_of(f, "default/example-app"), "inventory");
    size_t i;
    json_t *en;
    json_array_foreach(inv, i, en) {
        assert_string_not_equal(json_string_value(json_object_get(en, "cluster")), "us-west-1");
    }
}

static void engine_delete_removes_everything_then_the_status(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    size_t before = json_array_size(f->sink.tasks);
    engine_app_record(f->e, "default/example-app", NULL, 0, f->now, NULL, 0);
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "deleting");
    assert_int_equal(json_array_size(f->sink.tasks), before + 2);
    reply_all(f, before, "deleted");
    tick(f, 10);
    assert_true(json_is_null(status_of(f, "default/example-app")));
    assert_int_equal(engine_app_count(f->e), 0);
}

static void engine_restart_from_status_does_not_redo_finished_steps(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "advanced.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10); /* deploy-aws dispatched, not finished */
    json_t *status = json_deep_copy(status_of(f, "default/example-app"));
    char *yaml = et_read_example("advanced.yaml");
    /* a new scheduler: same records, the last status */
    restart_engine(f);
    load_status(f->e, "default/example-app", yaml, strlen(yaml), status, f->now);
    tick(f, 10);
    size_t n;
    assert_null(last_task(f, "beijing-1", 0, NULL));
    json_t *aws = last_task(f, "us-west-1", 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(json_integer_value(json_object_get(aws, "attempt")), 2);
    reply(f, aws, "healthy", "", "Ready:5/5");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    /* a second restart with nothing in flight sends nothing */
    json_t *done = json_deep_copy(status_of(f, "default/example-app"));
    size_t sent = json_array_size(f->sink.tasks);
    load_status(f->e, "default/example-app", yaml, strlen(yaml), done, f->now);
    tick(f, 10);
    tick(f, 1000);
    assert_int_equal(json_array_size(f->sink.tasks), sent);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    json_decref(done);
    const json_t *st = status_of(f, "default/example-app");
    assert_string_equal(json_string_value(json_object_get(st, "uid")),
                        json_string_value(json_object_get(status, "uid")));
    assert_int_equal(json_array_size(json_object_get(st, "services")), 3);
    free(yaml);
    json_decref(status);
}

static void engine_relabelled_cluster_joins_a_label_selected_topology(void **state)
{
    struct fixture *f = *state;
    set_seed_clusters(f, 0); /* us-west-1 not labelled yet */
    const char *yaml =
        "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: sel}\n"
        "spec:\n  components: [{name: web, type: worker, properties: {image: nginx}}]\n"
        "  policies: [{name: aws, type: topology, properties: {clusterLabelSelector: {provider: "
        "AWS}, allowEmpty: true}}]\n";
    submit(f, "default/sel", yaml);
    tick(f, 10);
    tick(f, 10);
    assert_int_equal(json_array_size(f->sink.tasks), 0);
    assert_string_equal(phase_of(f, "default/sel"), "running");
    set_seed_clusters(f, 1);
    tick(f, 10);
    assert_non_null(last_task(f, "us-west-1", 0, NULL));
}

static void engine_invalid_spec_is_rendering_with_the_reason(void **state)
{
    struct fixture *f = *state;
    submit(f, "default/bad",
           "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: bad}\n"
           "spec:\n  components: [{name: web, type: webservic}]\n");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/bad"), "rendering");
    const char *msg = json_string_value(json_object_get(status_of(f, "default/bad"), "message"));
    assert_non_null(strstr(msg, "unknown component type \"webservic\""));
    assert_non_null(strstr(msg, "5:"));
    submit(f, "default/other",
           "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: other}\n"
           "spec:\n  components: [{name: web, type: worker, properties: {image: x}}]\n"
           "  policies: [{name: t, type: topology, properties: {clusters: [beijing-1]}}]\n");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/other"), "runningWorkflow");
}

static void engine_unknown_cluster_fails_the_step_until_it_is_joined(void **state)
{
    struct fixture *f = *state;
    const char *yaml =
        "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: late}\n"
        "spec:\n  components: [{name: web, type: worker, properties: {image: nginx}}]\n"
        "  policies: [{name: t, type: topology, properties: {clusters: [shanghai-1]}}]\n";
    submit(f, "default/late", yaml);
    tick(f, 10);
    json_t *step = json_array_get(
        json_object_get(json_object_get(status_of(f, "default/late"), "workflow"), "steps"), 0);
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "failed");
    assert_string_equal(json_string_value(json_object_get(step, "message")),
                        "cluster \"shanghai-1\" not found");
    engine_cluster c[] = {{"shanghai-1", NULL, "cn"}};
    engine_set_clusters(f->e, c, 1, f->now);
    tick(f, 1100);
    assert_non_null(last_task(f, "shanghai-1", 0, NULL));
}

static void engine_parallelism_bounds_clusters_in_flight(void **state)
{
    struct fixture *f = *state;
    engine_cluster c[6];
    char names[6][16];
    for (int i = 0; i < 6; i++) {
        snprintf(names[i], sizeof(names[i]), "edge-%d", i);
        c[i] = (engine_cluster){names[i], f->labels_aws, "edge"};
    }
    engine_set_clusters(f->e, c, 6, f->now);
    submit(f, "default/par",
           "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: par}\n"
           "spec:\n  components: [{name: web, type: worker, properties: {image: nginx}}]\n"
           "  policies: [{name: all, type: topology, properties: {clusterLabelSelector: {provider: "
           "AWS}}}]\n"
           "  workflow: {steps: [{name: roll, type: deploy, properties: {policies: [all], "
           "parallelism: 2}}]}\n");
    tick(f, 10);
    assert_int_equal(json_array_size(f->sink.tasks), 2);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    assert_int_equal(json_array_size(f->sink.tasks), 4);
}

static void engine_step_timeout_fails_the_workflow(void **state)
{
    struct fixture *f = *state;
    submit(f, "default/slow",
           "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: slow}\n"
           "spec:\n  components: [{name: web, type: worker, properties: {image: nginx}}]\n"
           "  policies: [{name: t, type: topology, properties: {clusters: [beijing-1]}}]\n"
           "  workflow: {steps: [{name: d, type: deploy, timeout: 5s, properties: {policies: "
           "[t]}}]}\n");
    tick(f, 10);
    tick(f, 6000);
    assert_string_equal(phase_of(f, "default/slow"), "workflowFailed");
    const char *msg = json_string_value(json_object_get(status_of(f, "default/slow"), "message"));
    assert_non_null(strstr(msg, "timed out"));
}

static void engine_restart_token_reruns_a_failed_workflow(void **state)
{
    struct fixture *f = *state;
#define RESTART_DOC(ann)                                                                           \
    "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: r" ann "}\n"            \
    "spec:\n  components: [{name: web, type: worker, properties: {image: nginx}}]\n"               \
    "  policies: [{name: t, type: topology, properties: {clusters: [beijing-1]}}]\n"
    char doc[1024];
    snprintf(doc, sizeof(doc), "%s", RESTART_DOC(""));
    submit(f, "default/r", doc);
    for (int i = 0; i < 3; i++) {
        tick(f, 5000);
        json_t *t = last_task(f, "beijing-1", 0, NULL);
        reply(f, t, "failed", "cluster beijing-1: boom", "");
    }
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/r"), "workflowFailed");
    size_t before = json_array_size(f->sink.tasks);
    snprintf(doc, sizeof(doc), "%s", RESTART_DOC(", annotations: {app.oam.dev/restart: '42'}"));
    submit(f, "default/r", doc);
    tick(f, 10);
    assert_int_equal(json_array_size(f->sink.tasks), before + 1);
    assert_string_equal(phase_of(f, "default/r"), "runningWorkflow");
    assert_int_equal(json_integer_value(json_object_get(status_of(f, "default/r"), "revision")), 1);
    reply_all(f, before, "healthy");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/r"), "running");
}

static void engine_resync_reapplies_and_shows_a_service_no_longer_healthy(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    size_t before = json_array_size(f->sink.tasks);
    tick(f, 5 * 60 * 1000); /* the default resync interval */
    assert_int_equal(json_array_size(f->sink.tasks), before + 2);
    json_t *t = last_task(f, "beijing-2", before, NULL);
    reply(f, t, "failed", "timed out waiting for health: Ready:1/3", "Ready:1/3");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "unhealthy");
    json_t *step = json_array_get(
        json_object_get(json_object_get(status_of(f, "default/example-app"), "workflow"), "steps"),
        0);
    assert_string_equal(json_string_value(json_object_get(step, "phase")), "succeeded");
    reply(f, last_task(f, "beijing-1", before, NULL), "healthy", "", "Ready:3/3");
    tick(f, 5 * 60 * 1000);
    reply_all(f, before + 2, "healthy");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
}

static void engine_restart_keeps_the_services_of_placements_already_healthy(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    reply(f, last_task(f, "beijing-2", 0, NULL), "healthy", "", "Ready:3/3");
    tick(f, 10);
    json_t *status = json_deep_copy(status_of(f, "default/example-app"));
    char *yaml = et_read_example("basic.yaml");
    restart_engine(f);
    load_status(f->e, "default/example-app", yaml, strlen(yaml), status, f->now);
    tick(f, 10);
    assert_null(last_task(f, "beijing-2", 0, NULL));
    reply(f, last_task(f, "beijing-1", 0, NULL), "healthy", "", "Ready:3/3");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "running");
    json_t *services = json_object_get(status_of(f, "default/example-app"), "services");
    assert_int_equal(json_array_size(services), 2);
    size_t i;
    json_t *svc;
    json_array_foreach(services, i, svc) {
        assert_true(json_is_true(json_object_get(svc, "healthy")));
    }
    free(yaml);
    json_decref(status);
}

static void engine_forced_delete_gives_up_on_an_unreachable_cluster(void **state)
{
    struct fixture *f = *state;
    submit_example(f, "basic.yaml");
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    size_t before = json_array_size(f->sink.tasks);
    engine_app_record(f->e, "default/example-app", NULL, 0, f->now, NULL, 0);
    tick(f, 10);
    reply(f, last_task(f, "beijing-1", before, NULL), "deleted", "", "");
    reply(f, last_task(f, "beijing-2", before, NULL), "failed",
          "cluster beijing-2: connection refused", "");
    tick(f, 10);
    assert_string_equal(phase_of(f, "default/example-app"), "deleting");
    const char force[] = "{\"schemaVersion\":1,\"deletion\":{\"force\":true}}";
    engine_app_record(f->e, "default/example-app", force, strlen(force), f->now, NULL, 0);
    engine_app_record(f->e, "default/example-app", NULL, 0, f->now, NULL, 0);
    tick(f, 10);
    assert_true(json_is_null(status_of(f, "default/example-app")));
}

/* ---- status records a restarted scheduler cannot use ---- */

/* Sets (value non-NULL, JSON text) or removes (value NULL) the field at path ("a.0.b":
 * numbers index arrays) of doc; returns -1 when the path does not lead anywhere. */
static int json_path_edit(json_t *doc, const char *path, const char *value)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *parent = NULL, *at = doc;
    char *last = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
        if (!at)
            return -1;
        parent = at;
        last = tok;
        at = json_is_array(parent) ? json_array_get(parent, strtoul(tok, NULL, 10))
                                   : json_object_get(parent, tok);
    }
    if (!parent || (!at && (!value || json_is_array(parent))))
        return -1; /* a field may be added to an object, not removed when absent */
    json_t *v = value ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;
    if (value && !v)
        return -1;
    if (json_is_array(parent))
        return v ? json_array_set_new(parent, strtoul(last, NULL, 10), v)
                 : json_array_remove(parent, strtoul(last, NULL, 10));
    return v ? json_object_set_new(parent, last, v) : json_object_del(parent, last);
}

/* advanced.yaml half done: deploy-beijing succeeded (inventory, services), deploy-aws out. */
static json_t *status_half_done(struct fixture *f, const char *yaml)
{
    submit(f, "default/example-app", yaml);
    tick(f, 10);
    reply_all(f, 0, "healthy");
    tick(f, 10);
    return json_deep_copy(status_of(f, "default/example-app"));
}

/* Replies healthy to every task until nothing new is sent; returns the phase. */
static const char *run_to_the_end(struct fixture *f)
{
    size_t from = 0;
    tick(f, 10);
    for (int round = 0; round < 5; round++) {
        size_t n = json_array_size(f->sink.tasks);
        reply_all(f, from, "healthy");
        from = n;
        tick(f, 10);
    }
    return phase_of(f, "default/example-app");
}

static void engine_malformed_status_is_reported_and_the_app_starts_from_its_spec(void **state)
{
    static const struct {
        const char *path;
        const char *value; /* JSON text; NULL: the field is removed */
    } cases[] = {
        {"workflow.steps.0.name", NULL},
        {"workflow.steps.1.name", "42"},
        {"workflow.steps.0.placements.0.cluster", NULL},
        {"workflow.steps.1.placements.0.cluster", "null"},
        {"workflow.steps.1.placements.0.namespace", NULL},
        {"workflow.steps.0.placements.1.state", "\"exploded\""},
        {"workflow.steps.1.placements.0.state", NULL},
        {"workflow.steps.0.phase", "\"bogus\""},
        {"workflow.steps.1.phase", NULL},
        {"workflow.steps.0.phase", "3"},
        {"workflow.steps.0.id", "12"},
        {"workflow.steps.0.failures", "\"2\""},
        {"workflow.steps.0.startedAt", "5"},
        {"workflow.steps.1.resumed", "\"yes\""},
        {"workflow.steps.0.message", "[]"},
        {"workflow.steps.0.placements", "{}"},
        {"workflow.steps.0.placements.0", "\"beijing-1\""},
        {"workflow.steps.1.placements.0.attempt", "\"1\""},
        {"workflow.steps.0", "null"},
        {"workflow.steps", "\"none\""},
        {"workflow.terminated", "\"no\""},
        {"workflow", "[]"},
        {"uid", "7"},
        {"revision", "\"1\""},
        {"generation", "1.5"},
        {"specHash", "{}"},
        {"createdAt", "false"},
        {"resumeToken", "1"},
        {"restartToken", "[]"},
        {"services", "\"x\""},
        {"services.0", "3"},
        {"inventory", "{}"},
        {"inventory.0", "\"x\""},
        {"inventory.0.cluster", NULL},
        {"inventory.1.namespace", "null"},
        {"inventory.0.generation", "\"1\""},
        {"inventory.0.resources", "\"all\""},
        {"inventory.0.resources.0.kind", "3"},
        {"inventory.0.resources.1", "[]"},
        {"inventory.0.deleteResources", "7"},
        {"inventory.0.deleteAttempt", "\"1\""},
        {"inventory.0.deleteTaskId", "1"},
        {"inventory.0.retryAt", "true"},
        {"inventory.0.drop", "\"yes\""},
    };
    struct fixture *f = *state;
    char *yaml = et_read_example("advanced.yaml");
    json_t *good = status_half_done(f, yaml);
    const char *uid = json_string_value(json_object_get(good, "uid"));
    int failures = 0;
    assert_int_equal(json_array_size(json_object_get(good, "inventory")), 2);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *bad = json_deep_copy(good);
        if (json_path_edit(bad, cases[i].path, cases[i].value) < 0) {
            print_error("case %s: no such field in the status\n", cases[i].path);
            failures++;
            json_decref(bad);
            continue;
        }
        restart_engine(f);
        load_status(f->e, "default/example-app", yaml, strlen(yaml), bad, f->now);
        json_decref(bad);
        const char *phase = run_to_the_end(f);
        const json_t *st = status_of(f, "default/example-app");
        const char *now_uid = json_string_value(json_object_get(st, "uid"));
        size_t n;
        if (!phase || strcmp(phase, "running") != 0) {
            print_error("case %s=%s: phase %s, want running\n", cases[i].path,
                        cases[i].value ? cases[i].value : "(removed)", phase ? phase : "none");
            failures++;
        } else if (!now_uid || strcmp(now_uid, uid) == 0 ||
                   json_integer_value(json_object_get(st, "revision")) != 1) {
            print_error("case %s: the status was used, want a fresh start\n", cases[i].path);
            failures++;
        } else if (!last_task(f, "beijing-1", 0, &n) || n != 1 ||
                   !last_task(f, "us-west-1", 0, &n) || n != 1) {
            print_error("case %s: want one task per cluster from the first step\n", cases[i].path);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    json_decref(good);
    free(yaml);
}

static void engine_status_that_is_not_an_object_is_reported(void **state)
{
    struct fixture *f = *state;
    char *yaml = et_read_example("advanced.yaml");
    json_t *list = json_array();
    load_status(f->e, "default/example-app", yaml, strlen(yaml), list, f->now);
    assert_string_equal(run_to_the_end(f), "running");
    json_decref(list);
    free(yaml);
}

static void engine_malformed_status_of_a_deleted_app_is_tombstoned(void **state)
{
    struct fixture *f = *state;
    char *yaml = et_read_example("advanced.yaml");
    json_t *bad = status_half_done(f, yaml);
    assert_int_equal(json_path_edit(bad, "workflow.steps.0.placements.0.cluster", NULL), 0);
    restart_engine(f);
    load_status(f->e, "default/example-app", NULL, 0, bad, f->now);
    tick(f, 10);
    assert_true(json_is_null(status_of(f, "default/example-app")));
    assert_int_equal(engine_app_count(f->e), 0);
    assert_int_equal(json_array_size(f->sink.tasks), 0);
    json_decref(bad);
    free(yaml);
}

/* Fields the status schema makes optional are not reasons to start again (a step's id is
 * required: every scheduler has written one). */
static void engine_status_without_optional_fields_still_resumes(void **state)
{
    static const char *const absent[] = {"createdAt",
                                         "generation",
                                         "resumeToken",
                                         "workflow.steps.0.startedAt",
                                         "workflow.steps.0.failures",
                                         "workflow.steps.0.placements.0.attempt"};
    struct fixture *f = *state;
    char *yaml = et_read_example("advanced.yaml");
    json_t *status = status_half_done(f, yaml);
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        json_path_edit(status, absent[i], NULL);
    restart_engine(f);
    load_status(f->e, "default/example-app", yaml, strlen(yaml), status, f->now);
    assert_string_equal(run_to_the_end(f), "running");
    assert_null(last_task(f, "beijing-1", 0, NULL)); /* the finished step is not redone */
    const json_t *st = status_of(f, "default/example-app");
    assert_string_equal(json_string_value(json_object_get(st, "uid")),
                        json_string_value(json_object_get(status, "uid")));
    json_decref(status);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(engine_basic_deploys_to_both_beijing_clusters_and_runs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_identical_resubmit_does_nothing_and_a_change_is_a_new_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_advanced_runs_step_by_step_with_five_replicas_in_aws,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_failure_shows_the_api_message_retries_with_backoff_then_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_stale_events_of_an_old_attempt_are_ignored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_suspend_step_waits_for_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_gc_deletes_what_a_cluster_that_left_the_topology_had,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(engine_delete_removes_everything_then_the_status, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_restart_from_status_does_not_redo_finished_steps,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(engine_relabelled_cluster_joins_a_label_selected_topology,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(engine_invalid_spec_is_rendering_with_the_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_unknown_cluster_fails_the_step_until_it_is_joined,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(engine_parallelism_bounds_clusters_in_flight, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_step_timeout_fails_the_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_restart_token_reruns_a_failed_workflow, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_forced_delete_gives_up_on_an_unreachable_cluster,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_restart_keeps_the_services_of_placements_already_healthy, setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_resync_reapplies_and_shows_a_service_no_longer_healthy, setup, teardown),
        cmocka_unit_test_setup_teardown(
            engine_malformed_status_is_reported_and_the_app_starts_from_its_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_status_that_is_not_an_object_is_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(engine_malformed_status_of_a_deleted_app_is_tombstoned,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(engine_status_without_optional_fields_still_resumes, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
