/* Health by watch (worker/watch.c): events land in the live state of the jobs that judge
 * those objects and only there, an older resourceVersion never replaces a newer one, the
 * applies' answers find their slots, and a job is covered only while its watches are up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../worker/task.c"
#include "../../worker/watch.c"

static const char task_json[] =
    "{\"schemaVersion\":1,\"taskId\":\"u1:2:deploy:c1:ns1:1\","
    "\"app\":{\"name\":\"app\",\"namespace\":\"default\",\"uid\":\"u1\",\"revision\":2},"
    "\"step\":\"deploy\",\"stepId\":\"s1\",\"attempt\":1,\"cluster\":\"c1\",\"namespace\":\"ns1\","
    "\"createdAt\":\"2026-11-26T02:00:00Z\","
    "\"kind\":\"deploy\",\"components\":[{\"name\":\"web\",\"type\":\"webservice\","
    "\"workload\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"},"
    "\"traits\":[{\"type\":\"gateway\",\"properties\":{\"domain\":\"a.example.com\","
    "\"http\":{\"/\":80}},\"object\":{\"apiVersion\":\"networking.k8s.io/v1\","
    "\"kind\":\"Ingress\",\"name\":\"web\"}}]}],"
    "\"manifests\":["
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"}},"
    "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\","
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"ns1\"}}]}";

static json_t *obj(const char *kind, const char *ns, const char *name, const char *rv)
{
    return json_pack("{s:s,s:{s:s,s:s,s:s}}", "kind", kind, "metadata", "namespace", ns, "name",
                     name, "resourceVersion", rv);
}

static const char *rv(const json_t *o)
{
    return meta_str(o, "resourceVersion");
}

typedef struct fixture {
    worker w;
    job j;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    char err[256];
    f->w.cfg.health_watch = true;
    f->j.w = &f->w;
    f->j.state = JOB_APPLY;
    if (task_parse(task_json, strlen(task_json), &f->j.t, err, sizeof(err)) < 0)
        fail_msg("task: %s", err);
    f->w.jobs = &f->j;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    task_release(&f->j.t);
    watch_free_all(&f->w);
    free(f);
    return 0;
}

/* a watch as watch_need would have made it, in a given state */
static wwatch *add_watch(worker *w, const char *cluster, const char *av, const char *kind, int st)
{
    task_obj o = {av, kind, NULL, NULL};
    wwatch *ww = watch_find(w, cluster, &o, true);
    assert_non_null(ww);
    ww->state = st;
    return ww;
}

static void newer_replaces_older_never(void **state)
{
    (void)state;
    json_t *slot = NULL;
    json_t *v5 = obj("Deployment", "ns1", "web", "5"), *v7 = obj("Deployment", "ns1", "web", "7");
    assert_true(watch_live_update(&slot, v5, false));
    assert_string_equal(rv(slot), "5");
    assert_true(watch_live_update(&slot, v7, false));
    assert_false(watch_live_update(&slot, v5, false)); /* an apply answer that came late */
    assert_string_equal(rv(slot), "7");
    assert_true(watch_live_update(&slot, v7, false)); /* the same version again is fine */
    /* a deletion older than what is held is ignored; a newer one empties the slot */
    assert_false(watch_live_update(&slot, v5, true));
    assert_non_null(slot);
    json_t *v9 = obj("Deployment", "ns1", "web", "9");
    assert_true(watch_live_update(&slot, v9, true));
    assert_null(slot);
    /* versions that are not numbers cannot be ordered: the latest one wins */
    json_t *odd = obj("Deployment", "ns1", "web", "abc");
    assert_true(watch_live_update(&slot, v9, false));
    assert_true(watch_live_update(&slot, odd, false));
    assert_true(watch_live_update(&slot, v5, false));
    assert_string_equal(rv(slot), "5");
    json_decref(slot);
    json_decref(v5);
    json_decref(v7);
    json_decref(v9);
    json_decref(odd);
}

static void events_reach_the_jobs_that_judge_the_object(void **state)
{
    fixture *f = *state;
    job *j = &f->j;
    wwatch *deps = add_watch(&f->w, "c1", "apps/v1", "Deployment", WW_STARTING);
    wwatch *other = add_watch(&f->w, "c2", "apps/v1", "Deployment", WW_LIVE);
    json_t *mine = obj("Deployment", "ns1", "web", "3");
    json_t *other_ns = obj("Deployment", "ns2", "web", "4");
    json_t *other_name = obj("Deployment", "ns1", "api", "4");

    watch_on_event("ADDED", other_ns, deps);
    watch_on_event("ADDED", other_name, deps);
    assert_null(j->t.comps[0].live);
    assert_false(j->rejudge);
    assert_int_equal(deps->state, WW_LIVE); /* any event says the watch is up */

    watch_on_event("ADDED", mine, other); /* the same object in another cluster */
    assert_null(j->t.comps[0].live);

    watch_on_event("MODIFIED", mine, deps);
    assert_ptr_equal(j->t.comps[0].live, mine);
    assert_true(j->rejudge);
    assert_null(j->t.comps[0].traits[0].live); /* the Ingress slot is not the Deployment's */

    /* bookmarks and errors change nothing */
    j->rejudge = false;
    json_t *newer = obj("Deployment", "ns1", "web", "8");
    watch_on_event("BOOKMARK", newer, deps);
    assert_false(j->rejudge);
    watch_on_event("DELETED", newer, deps);
    assert_null(j->t.comps[0].live);
    assert_true(j->rejudge);

    /* a finished job is left alone */
    j->rejudge = false;
    j->state = JOB_FINAL;
    watch_on_event("ADDED", mine, deps);
    assert_null(j->t.comps[0].live);
    assert_false(j->rejudge);

    json_decref(mine);
    json_decref(other_ns);
    json_decref(other_name);
    json_decref(newer);
}

static void apply_answers_find_their_slot(void **state)
{
    fixture *f = *state;
    job *j = &f->j;
    const json_t *m = j->t.manifests;
    /* the Deployment (namespace from the task), the Service (not judged), the Ingress */
    assert_ptr_equal(watch_slot(j, json_array_get(m, 0)), &j->t.comps[0].live);
    assert_null(watch_slot(j, json_array_get(m, 1)));
    assert_ptr_equal(watch_slot(j, json_array_get(m, 2)), &j->t.comps[0].traits[0].live);
}

static void covered_only_while_every_watch_is_up(void **state)
{
    fixture *f = *state;
    job *j = &f->j;
    assert_false(watch_covers(j)); /* no watch yet */
    wwatch *deps = add_watch(&f->w, "c1", "apps/v1", "Deployment", WW_LIVE);
    assert_false(watch_covers(j)); /* the Ingress is not watched */
    wwatch *ing = add_watch(&f->w, "c1", "networking.k8s.io/v1", "Ingress", WW_STARTING);
    assert_true(watch_covers(j));
    ing->state = WW_DOWN;
    assert_false(watch_covers(j));
    ing->state = WW_LIVE;
    f->w.cfg.health_watch = false; /* --health poll */
    assert_false(watch_covers(j));
    (void)deps;
}

static void an_ended_watch_makes_its_jobs_poll(void **state)
{
    fixture *f = *state;
    job *j = &f->j;
    wwatch *deps = add_watch(&f->w, "c1", "apps/v1", "Deployment", WW_LIVE);
    j->state = JOB_WAIT;
    j->next_poll = now_ms() + 60000;
    kube_result failed = {.status = KUBE_ERR_CONNECT, .message = "refused"};
    watch_on_end(&failed, deps);
    assert_int_equal(deps->state, WW_DOWN);
    assert_true(j->next_poll <= now_ms());
    assert_true(deps->retry_at > now_ms()); /* backoff after a failure */
    kube_result closed = {.status = KUBE_OK, .message = ""};
    watch_on_end(&closed, deps);
    assert_int_equal(deps->failures, 0);
    assert_true(deps->retry_at <= now_ms()); /* the server's timeout: again at once */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(newer_replaces_older_never),
        cmocka_unit_test_setup_teardown(events_reach_the_jobs_that_judge_the_object, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(apply_answers_find_their_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(covered_only_while_every_watch_is_up, setup, teardown),
        cmocka_unit_test_setup_teardown(an_ended_watch_makes_its_jobs_poll, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
