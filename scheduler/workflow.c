/* The workflow of an Application (see workflow.h): StepByStep or DAG steps, each deploy step
 * resolved to placements when it starts and dispatched as one task per placement. Phases and
 * states change only through step_set_phase and placement_set_state. */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "dispatch.h"
#include "inventory.h"
#include "model/render.h"
#include "status.h"

/* ---- the state machines ---- */

static const char *step_name(const sapp *a, const step_rt *s)
{
    size_t si = (size_t)(s - a->steps);
    return a->a && si < a->a->nsteps ? a->a->steps[si].name : "?";
}

void step_set_phase(sapp *a, step_rt *s, enum step_phase phase, const char *why)
{
    if (s->phase != phase)
        log_debug("event=step-phase app=%s step=%s from=%s to=%s why=\"%s\"", a->key,
                  step_name(a, s), step_phase_name(s->phase), step_phase_name(phase), why);
    s->phase = phase;
    a->dirty = true;
}

void placement_set_state(sapp *a, placement *p, enum pl_state state, const char *why)
{
    if (p->state != state)
        log_debug("event=placement-state app=%s cluster=%s namespace=%s from=%s to=%s "
                  "why=\"%s\"",
                  a->key, p->cluster, p->ns, placement_state_name(p->state),
                  placement_state_name(state), why);
    p->state = state;
    a->dirty = true;
}

/* A new placement in its first state (pending, or healthy when a status says so). */
static void placement_init(placement *p, const char *cluster, const char *ns, enum pl_state state)
{
    memset(p, 0, sizeof(*p));
    p->cluster = xstrdup(cluster);
    p->ns = xstrdup(ns);
    p->state = state;
}

void placement_release(placement *p)
{
    free(p->cluster);
    free(p->ns);
    free(p->task_id);
    free(p->message);
    json_decref(p->services);
}

static void step_forget_prior(step_rt *s)
{
    for (size_t i = 0; i < s->nprior; i++)
        placement_release(&s->prior[i]);
    free(s->prior);
    s->prior = NULL;
    s->nprior = 0;
    s->restored = false;
}

void step_reset(step_rt *s)
{
    for (size_t i = 0; i < s->npl; i++)
        placement_release(&s->pl[i]);
    free(s->pl);
    free(s->message);
    dispatch_components_free(s->comps, s->ncomps);
    json_decref(s->components);
    json_decref(s->manifests_by_ns);
    step_forget_prior(s);
    memset(s, 0, sizeof(*s));
}

bool placement_failing(const placement *p)
{
    return p->message && (p->state == PL_FAILED || (p->state == PL_DISPATCHED && p->failures > 0));
}

/* ---- runs ---- */

void workflow_free_steps(sapp *a)
{
    for (size_t i = 0; i < a->nsteps; i++)
        step_reset(&a->steps[i]);
    free(a->steps);
    a->steps = NULL;
    a->nsteps = 0;
}

static void workflow_new_steps(sapp *a)
{
    a->nsteps = a->a->nsteps;
    a->steps = xcalloc(a->nsteps, sizeof(step_rt));
    for (size_t i = 0; i < a->nsteps; i++)
        engine_random_id(a->steps[i].id, 11);
}

void workflow_reset(sapp *a)
{
    workflow_free_steps(a);
    a->terminated = false;
    a->gc_done = false;
    a->generation++;
    if (a->a)
        workflow_new_steps(a);
}

void workflow_forget_restored(sapp *a)
{
    for (size_t i = 0; i < a->restored.nsteps; i++) {
        free(a->restored.steps[i].name);
        step_reset(&a->restored.steps[i].rt);
    }
    free(a->restored.steps);
    a->restored.steps = NULL;
    a->restored.nsteps = 0;
    a->restored.terminated = false;
    json_decref(a->restored.services);
    a->restored.services = NULL;
}

static void step_restore(sapp *a, step_rt *s, const step_rt *r)
{
    if (r->id[0]) /* else the step keeps the id it was given */
        memcpy(s->id, r->id, sizeof(s->id));
    s->failures = r->failures;
    s->started_at = r->started_at;
    s->resumed = r->resumed;
    engine_strset(&s->message, r->message);
    step_set_phase(a, s, r->phase, "restored from the status");
    /* kept until the step is resolved again: attempts go on, healthy placements stay */
    step_forget_prior(s);
    s->restored = true;
    s->nprior = r->nprior;
    s->prior = xcalloc(s->nprior, sizeof(placement));
    for (size_t j = 0; j < r->nprior; j++) {
        placement_init(&s->prior[j], r->prior[j].cluster, r->prior[j].ns, r->prior[j].state);
        s->prior[j].attempt = r->prior[j].attempt;
        s->prior[j].failures = r->prior[j].failures;
    }
    if (s->phase != SP_SUCCEEDED && s->phase != SP_SKIPPED)
        return;
    /* finished steps keep their placements for the services list */
    s->npl = r->nprior;
    s->pl = xcalloc(s->npl, sizeof(placement));
    for (size_t j = 0; j < r->nprior; j++) {
        placement_init(&s->pl[j], r->prior[j].cluster, r->prior[j].ns, PL_HEALTHY);
        s->pl[j].attempt = r->prior[j].attempt;
    }
    s->resolved = true;
}

void workflow_restore(sapp *a)
{
    workflow_free_steps(a);
    workflow_new_steps(a);
    a->terminated = a->restored.terminated;
    json_decref(a->restored_services);
    a->restored_services = json_incref(a->restored.services);
    for (size_t i = 0; i < a->restored.nsteps; i++) {
        const step_record *r = &a->restored.steps[i];
        for (size_t k = 0; k < a->nsteps; k++)
            if (strcmp(a->a->steps[k].name, r->name) == 0)
                step_restore(a, &a->steps[k], &r->rt);
    }
    workflow_forget_restored(a);
    /* the services as last reported, for placements that are done */
    for (size_t k = 0; k < a->nsteps; k++) {
        step_rt *s = &a->steps[k];
        for (size_t m = 0; m < s->npl; m++)
            s->pl[m].services = status_services_for(a->restored_services, s->pl[m].cluster,
                                                    s->pl[m].ns);
    }
}

bool workflow_finished(const sapp *a)
{
    if (!a->a || a->nsteps == 0)
        return a->a != NULL;
    for (size_t i = 0; i < a->nsteps; i++)
        if (a->steps[i].phase != SP_SUCCEEDED && a->steps[i].phase != SP_SKIPPED)
            return false;
    return true;
}

/* ---- resolution ---- */

/* A new placement of a resolved step: a restored status's attempts carry on, and a
 * placement it listed as healthy stays healthy with its services (no event will come). */
static void placement_resolved(const sapp *a, const step_rt *s, placement *pl, const char *cluster,
                               const char *ns)
{
    const placement *last = NULL;
    bool healthy = false;
    for (size_t j = 0; j < s->nprior; j++) {
        const placement *r = &s->prior[j];
        if (strcmp(r->cluster, cluster) != 0 || strcmp(r->ns, ns) != 0)
            continue;
        last = r;
        healthy = healthy || r->state == PL_HEALTHY;
    }
    placement_init(pl, cluster, ns, healthy ? PL_HEALTHY : PL_PENDING);
    if (last) {
        pl->attempt = last->attempt;
        pl->failures = last->failures;
    }
    if (healthy)
        pl->services = status_services_for(a->restored_services, cluster, ns);
}

/* Resolves a deploy step's placements against the registry and renders its manifests; the
 * phase is the caller's. On failure the step's failures, message and retry time are set. */
static int step_resolve(engine *e, sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    cluster_ref *refs = xcalloc(e->nclusters, sizeof(*refs));
    registry_view view = engine_view(e, refs);
    json_t *placements = NULL, *components = NULL;
    verr ve;
    size_t i;
    json_t *p;

    a->a->revision = a->revision; /* app.oam.dev/appRevision names this revision */
    if (render_step(a->a, as, &view, &placements, &ve) < 0 ||
        policy_components(a->a, as, &components, &ve) < 0) {
        free(refs);
        json_decref(placements);
        s->failures++;
        engine_strset(&s->message, ve.msg);
        s->retry_at = now_ms + engine_backoff(e, s->failures);
        log_warn("event=step-unresolved app=%s step=%s reason=\"%s\"", a->key, as->name, ve.msg);
        return -1;
    }
    free(refs);
    s->components = components; /* now owned by the step; comps point into it */
    s->comps = dispatch_components(components, &s->ncomps);
    s->manifests_by_ns = json_object();
    s->npl = json_array_size(placements);
    s->pl = xcalloc(s->npl, sizeof(placement));
    json_array_foreach(placements, i, p) {
        const char *ns = json_string_value(json_object_get(p, "namespace"));
        placement_resolved(a, s, &s->pl[i], json_string_value(json_object_get(p, "cluster")), ns);
        json_object_set(s->manifests_by_ns, ns, json_object_get(p, "manifests"));
    }
    step_forget_prior(s);
    json_decref(placements);
    s->resolved = true;
    free(s->message);
    s->message = NULL;
    return 0;
}

/* ---- the tick ---- */

static bool step_deps_done(const sapp *a, size_t si)
{
    const app_step *as = &a->a->steps[si];
    size_t i;
    json_t *dep;
    if (a->a->mode == WF_STEP_BY_STEP && si > 0 && a->steps[si - 1].phase != SP_SUCCEEDED &&
        a->steps[si - 1].phase != SP_SKIPPED)
        return false;
    json_array_foreach(as->depends_on, i, dep) {
        for (size_t j = 0; j < a->nsteps; j++)
            if (strcmp(a->a->steps[j].name, json_string_value(dep)) == 0 &&
                a->steps[j].phase != SP_SUCCEEDED && a->steps[j].phase != SP_SKIPPED)
                return false;
    }
    return true;
}

static void workflow_terminate(sapp *a, step_rt *s, const char *why)
{
    a->terminated = true;
    step_set_phase(a, s, SP_FAILED, "the workflow is terminated");
    engine_strset(&s->message, why);
    log_warn("event=workflow-failed app=%s reason=\"%s\"", a->key, why);
}

/* Sends p's next attempt. When it could not be sent, p gets the reason and its retry time
 * (a failed attempt when its cluster is not joined); its state is the caller's. Returns the
 * dispatch_deploy result. */
static int placement_dispatch(engine *e, sapp *a, size_t si, placement *p, int64_t now_ms,
                              int64_t deadline_ms)
{
    char task_id[512];
    p->attempt++;
    dispatch_deploy_task_id(a, si, p, task_id, sizeof(task_id));
    engine_strset(&p->task_id, task_id);
    int rc = dispatch_deploy(e, a, si, p, now_ms, deadline_ms);
    if (rc == DISPATCH_NO_CLUSTER) {
        char msg[512];
        snprintf(msg, sizeof(msg), "cluster \"%s\" not found; run 'vela cluster list'", p->cluster);
        engine_strset(&p->message, msg);
        p->retry_at = now_ms + engine_backoff(e, p->attempt);
        p->failures++;
        a->steps[si].failures++;
    } else if (rc < 0) {
        engine_strset(&p->message, "could not queue the task to Kafka; retrying");
        p->retry_at = now_ms + engine_backoff(e, 1);
    } /* sent: p->message keeps the last failure while it retries */
    return rc;
}

/* Starts the step when it may, resumes it, resolves it; returns false when the step has
 * nothing more to do in this tick. */
static bool step_start(engine *e, sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    char msg[1024];

    if (s->phase == SP_SUCCEEDED || s->phase == SP_SKIPPED)
        return false;
    if (s->phase == SP_PENDING) {
        if (!step_deps_done(a, si))
            return false;
        s->started_at = now_ms;
        bool suspend = (as->type == STEP_SUSPEND || !as->auto_run) && !s->resumed;
        step_set_phase(a, s, suspend ? SP_SUSPENDING : SP_RUNNING, "its dependencies are done");
        log_info("event=step-start app=%s step=%s", a->key, as->name);
    }
    if (s->phase == SP_SUSPENDING) {
        bool elapsed = as->type == STEP_SUSPEND && as->duration_ms >= 0 &&
                       now_ms >= s->started_at + as->duration_ms;
        if (!s->resumed && !elapsed)
            return false;
        if (as->type == STEP_SUSPEND) {
            step_set_phase(a, s, SP_SUCCEEDED, s->resumed ? "resumed" : "its duration elapsed");
            return false;
        }
        step_set_phase(a, s, SP_RUNNING, "resumed");
        s->started_at = now_ms; /* a deploy step's timeout starts when it may run */
    }
    if (as->type != STEP_DEPLOY)
        return false;
    if (!s->resolved) {
        if (s->retry_at && now_ms < s->retry_at)
            return false;
        if (step_resolve(e, a, si, now_ms) < 0) {
            step_set_phase(a, s, SP_FAILED, "its placements could not be resolved");
            if (s->failures >= e->opts.max_attempts) {
                snprintf(msg, sizeof(msg), "%s (gave up after %d attempts)",
                         s->message ? s->message : "", s->failures);
                workflow_terminate(a, s, msg);
            }
            return false;
        }
        step_set_phase(a, s, SP_RUNNING, "placements resolved");
    }
    return true;
}

/* Whether the step ran out of time; it then ends the workflow, naming what is not healthy. */
static bool step_timed_out(sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    char msg[1024];
    if (now_ms <= s->started_at + as->timeout_ms)
        return false;
    size_t len = (size_t)snprintf(msg, sizeof(msg), "step timed out after %llds",
                                  (long long)(as->timeout_ms / 1000));
    for (size_t i = 0; i < s->npl && len < sizeof(msg); i++)
        if (s->pl[i].state != PL_HEALTHY)
            len += (size_t)snprintf(msg + len, sizeof(msg) - len, "; cluster %s: %s",
                                    s->pl[i].cluster,
                                    s->pl[i].message && *s->pl[i].message ? s->pl[i].message
                                                                          : "not healthy");
    workflow_terminate(a, s, msg);
    return true;
}

static void step_tick(engine *e, sapp *a, size_t si, int64_t now_ms)
{
    step_rt *s = &a->steps[si];
    const app_step *as = &a->a->steps[si];
    char msg[1024];

    if (!step_start(e, a, si, now_ms) || step_timed_out(a, si, now_ms))
        return;
    int inflight = 0, healthy = 0;
    for (size_t i = 0; i < s->npl; i++) {
        if (s->pl[i].state == PL_DISPATCHED)
            inflight++;
        if (s->pl[i].state == PL_HEALTHY)
            healthy++;
    }
    for (size_t i = 0; i < s->npl && inflight < as->parallelism; i++) {
        placement *p = &s->pl[i];
        if (p->state == PL_PENDING || (p->state == PL_FAILED && now_ms >= p->retry_at)) {
            if (placement_dispatch(e, a, si, p, now_ms, s->started_at + as->timeout_ms) == 0) {
                placement_set_state(a, p, PL_DISPATCHED, "task sent");
                inflight++;
            } else {
                placement_set_state(a, p, PL_FAILED, "task not sent");
            }
        }
    }
    /* a placement that failed max_attempts times ends the workflow (docs/scheduler.md) */
    for (size_t i = 0; i < s->npl; i++) {
        placement *p = &s->pl[i];
        if (p->state != PL_FAILED || p->failures < e->opts.max_attempts)
            continue;
        snprintf(msg, sizeof(msg), "%s (gave up after %d failed attempts)",
                 p->message ? p->message : "", p->failures);
        workflow_terminate(a, s, msg);
        return;
    }
    /* a step that failed stays failed, with the failure, while it is retried, until every
     * placement is healthy */
    enum step_phase want = SP_RUNNING;
    const char *why = NULL;
    for (size_t i = 0; i < s->npl; i++) {
        placement *p = &s->pl[i];
        if (p->state == PL_FAILED || placement_failing(p)) {
            want = SP_FAILED;
            why = p->message;
        }
    }
    if ((size_t)healthy == s->npl)
        want = SP_SUCCEEDED;
    if (want != s->phase || (why && (!s->message || strcmp(why, s->message) != 0)) ||
        (!why && s->message)) {
        step_set_phase(a, s, want,
                       want == SP_SUCCEEDED ? "every placement is healthy"
                       : want == SP_FAILED  ? "a placement failed"
                                            : "placements in progress");
        engine_strset(&s->message, want == SP_SUCCEEDED ? NULL : why);
        if (want == SP_SUCCEEDED)
            log_info("event=step-succeeded app=%s step=%s", a->key, as->name);
    }
}

void workflow_tick(engine *e, sapp *a, int64_t now_ms)
{
    /* a step that terminates the workflow does not stop the later steps' tick */
    for (size_t si = 0; si < a->nsteps; si++)
        step_tick(e, a, si, now_ms);
}

void workflow_resume_steps(sapp *a)
{
    for (size_t si = 0; si < a->nsteps; si++)
        if (a->steps[si].phase == SP_SUSPENDING)
            a->steps[si].resumed = true;
}

/* ---- resync ---- */

void workflow_resync(engine *e, sapp *a, int64_t now_ms)
{
    a->checked_at = now_ms;
    for (size_t si = 0; si < a->nsteps; si++) {
        step_rt *s = &a->steps[si];
        const app_step *as = &a->a->steps[si];
        if (as->type != STEP_DEPLOY)
            continue;
        if (!s->manifests_by_ns && s->restored) { /* restored from a status: render again */
            for (size_t i = 0; i < s->npl; i++)
                placement_release(&s->pl[i]);
            free(s->pl);
            s->pl = NULL;
            s->npl = 0;
            if (step_resolve(e, a, si, now_ms) < 0)
                continue; /* the step stays succeeded; tried again at the next resync */
        }
        if (!s->manifests_by_ns)
            continue;
        for (size_t i = 0; i < s->npl; i++) {
            placement *p = &s->pl[i];
            if (p->state != PL_HEALTHY || p->checking)
                continue;
            int64_t limit = as->timeout_ms < e->opts.resync_ms ? as->timeout_ms : e->opts.resync_ms;
            /* the placement stays healthy: the event says how the check went */
            if (placement_dispatch(e, a, si, p, now_ms, now_ms + limit) == 0)
                p->checking = true;
            else /* could not be sent: tried again next time */
                p->failures = 0;
        }
    }
    log_debug("event=resync app=%s", a->key);
}

/* ---- events ---- */

void workflow_event(engine *e, sapp *a, const char *task_id, const char *phase, const char *message,
                    bool final, const json_t *services, const json_t *resources, int64_t now_ms)
{
    for (size_t si = 0; si < a->nsteps; si++) {
        step_rt *s = &a->steps[si];
        for (size_t i = 0; i < s->npl; i++) {
            placement *p = &s->pl[i];
            if (!p->task_id || strcmp(p->task_id, task_id) != 0)
                continue;
            if (json_is_array(services) && json_array_size(services)) {
                json_decref(p->services);
                p->services = json_deep_copy(services);
            }
            if (json_is_array(resources) && json_array_size(resources))
                inventory_add(a, p->cluster, p->ns, resources);
            a->dirty = true;
            if (p->checking) { /* a resync: the services above say how it went */
                if (final) {
                    p->checking = false;
                    engine_strset(&p->message, strcmp(phase, "healthy") == 0 ? NULL : message);
                }
                return;
            }
            if (p->state == PL_DISPATCHED && final && strcmp(phase, "healthy") == 0) {
                placement_set_state(a, p, PL_HEALTHY, "the worker found it healthy");
                free(p->message);
                p->message = NULL;
            } else if (p->state == PL_DISPATCHED && final) {
                placement_set_state(a, p, PL_FAILED, "the task failed");
                engine_strset(&p->message, message && *message ? message : "the task failed");
                p->retry_at = now_ms + engine_backoff(e, p->attempt);
                p->failures++;
                s->failures++;
                log_warn("event=placement-failed app=%s cluster=%s attempt=%d reason=\"%s\"",
                         a->key, p->cluster, p->attempt, p->message);
            }
            return;
        }
    }
}

/* ---- registry changes ---- */

bool workflow_selection_changed(const sapp *a, const registry_view *view)
{
    for (size_t si = 0; si < a->nsteps; si++) {
        const step_rt *s = &a->steps[si];
        const app_step *as = &a->a->steps[si];
        bool selector = false, changed = false;
        size_t k;
        json_t *pn;
        if (as->type != STEP_DEPLOY || !s->resolved)
            continue;
        json_array_foreach(as->policies, k, pn) {
            json_t *pol = app_policy(a->a, json_string_value(pn));
            if (json_object_get(json_object_get(pol, "properties"), "clusterLabelSelector"))
                selector = true;
        }
        if (!selector)
            continue;
        json_t *now_pl = NULL;
        verr ve;
        if (policy_placements(a->a, as, view, &now_pl, &ve) < 0) {
            if (s->npl > 0)
                return true;
            continue;
        }
        if (json_array_size(now_pl) != s->npl)
            changed = true;
        for (size_t j = 0; j < s->npl && !changed; j++) {
            json_t *p = json_array_get(now_pl, j);
            if (strcmp(json_string_value(json_object_get(p, "cluster")), s->pl[j].cluster) != 0 ||
                strcmp(json_string_value(json_object_get(p, "namespace")), s->pl[j].ns) != 0)
                changed = true;
        }
        json_decref(now_pl);
        if (changed)
            return true;
    }
    return false;
}
