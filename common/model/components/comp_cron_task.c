/* cron-task: a job run on a schedule. A batch/v1 CronJob whose job template is the task
 * type's Job, as KubeVela v1.9's cron-task definition renders it for Kubernetes 1.25 and
 * later (docs/application.md lists what is left out: volumes, probes, hostAliases). */
#include <stdio.h>
#include <string.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/render_util.h"
#include "yaml/ydoc.h"

static const char *const cron_concurrency[] = {"Allow", "Forbid", "Replace", NULL};
static const char *const cron_restart[] = {"Never", "OnFailure", NULL};

static const prop_spec cron_props[] = {
    {"labels", PROP_STRING_MAP, 0, NULL, NULL, 0, 0, "Labels added to the jobs and their pods"},
    {"annotations", PROP_STRING_MAP, 0, NULL, NULL, 0, 0,
     "Annotations added to the jobs and their pods"},
    {"schedule", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "When to run, in cron format (\"*/5 * * * *\", \"@hourly\")"},
    {"startingDeadlineSeconds", PROP_INT, 0, NULL, NULL, 0, 1LL << 31,
     "How late a missed run may still start, in seconds"},
    {"suspend", PROP_BOOL, 0, NULL, NULL, 0, 0, "Suspend the runs after this one", "false"},
    {"concurrencyPolicy", PROP_STRING, 0, NULL, cron_concurrency, 0, 0,
     "What to do when a run is due while the last one still runs", "Allow"},
    {"successfulJobsHistoryLimit", PROP_INT, 0, NULL, NULL, 0, 1LL << 31,
     "How many succeeded jobs to keep", "3"},
    {"failedJobsHistoryLimit", PROP_INT, 0, NULL, NULL, 0, 1LL << 31,
     "How many failed jobs to keep", "1"},
    {"count", PROP_INT, 0, NULL, NULL, 1, 100000, "Pods each run starts in parallel", "1"},
    {"image", PROP_STRING, PROP_REQUIRED | PROP_NONEMPTY, NULL, NULL, 0, 0,
     "Container image to run"},
    {"imagePullPolicy", PROP_STRING, 0, NULL, render_pull_policies, 0, 0,
     "When the image is pulled"},
    {"imagePullSecrets", PROP_STRING_LIST, 0, NULL, NULL, 0, 0,
     "Names of Secrets holding credentials for the image registry"},
    {"restart", PROP_STRING, 0, NULL, cron_restart, 0, 0, "Restart policy of the pods", "Never"},
    {"cmd", PROP_STRING_LIST, 0, NULL, NULL, 0, 0, "Command run in the container"},
    {"env", PROP_LIST, 0, render_env_fields, NULL, 0, 0, "Environment variables of the container"},
    {"cpu", PROP_QUANTITY, 0, NULL, NULL, 0, 0,
     "CPU request and limit, like 0.5 (half a core) or \"500m\""},
    {"memory", PROP_QUANTITY, 0, NULL, NULL, 0, 0, "Memory request and limit, like \"256Mi\""},
    {"ttlSecondsAfterFinished", PROP_INT, 0, NULL, NULL, 0, 1LL << 31,
     "Seconds after which a finished job is deleted"},
    {"activeDeadlineSeconds", PROP_INT, 0, NULL, NULL, 1, 1LL << 31,
     "Seconds a job may run before it is stopped"},
    {"backoffLimit", PROP_INT, 0, NULL, NULL, 0, 1LL << 31, "Retries before a job is marked failed",
     "6"},
    {NULL, 0, 0, NULL, NULL, 0, 0},
};

static const char *const cron_macros[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                          "@daily",  "@midnight", "@hourly",  NULL};

/* Kubernetes refuses a schedule that is neither five fields nor a macro; say so before the
 * apply does, with the field's path. */
static int cron_check_schedule(const char *s, const char *path, verr *e)
{
    int fields = 0;
    if (s[0] == '@') {
        for (const char *const *m = cron_macros; *m; m++)
            if (strcmp(s, *m) == 0)
                return 0;
        return verr_set(e, path,
                        "\"%.60s\" is not a schedule macro; use one of @yearly, @monthly, "
                        "@weekly, @daily, @hourly or five cron fields",
                        s);
    }
    if (strncmp(s, "TZ=", 3) == 0 || strncmp(s, "CRON_TZ=", 8) == 0)
        return verr_set(e, path, "a time zone in the schedule is not allowed; remove \"%.*s\"",
                        (int)strcspn(s, " "), s);
    for (const char *p = s; *p;) {
        p += strspn(p, " \t");
        if (!*p)
            break;
        fields++;
        p += strcspn(p, " \t");
    }
    if (fields != 5)
        return verr_set(e, path,
                        "\"%.60s\" has %d fields; a cron schedule has five (minute hour "
                        "day-of-month month day-of-week), e.g. \"*/5 * * * *\"",
                        s, fields);
    return 0;
}

static int cron_check(const json_t *props, const char *path, bool enforce_required, verr *e)
{
    char p[512];
    if (prop_check(props, cron_props, path, enforce_required, e) < 0)
        return -1;
    json_t *schedule = json_object_get(props, "schedule");
    if (!json_is_string(schedule))
        return 0;
    ydoc_path_key(p, sizeof(p), path, "schedule");
    return cron_check_schedule(json_string_value(schedule), p, e);
}

/* props[key] if set, else the integer def. */
static json_t *cron_int(const json_t *props, const char *key, json_int_t def)
{
    json_t *v = json_object_get(props, key);
    return json_is_integer(v) ? json_incref(v) : json_integer(def);
}

static void cron_set_if(json_t *dst, const json_t *props, const char *key)
{
    json_t *v = json_object_get(props, key);
    if (v && !json_is_null(v))
        json_object_set(dst, key, v);
}

static int cron_render(const json_t *props, render_ctx *ctx, verr *e)
{
    json_t *cj = render_workload_new(ctx, "batch/v1", "CronJob", ctx->component);
    json_t *secrets = json_object_get(props, "imagePullSecrets");
    const char *restart = json_string_value(json_object_get(props, "restart"));
    const char *policy = json_string_value(json_object_get(props, "concurrencyPolicy"));
    json_t *suspend = json_object_get(props, "suspend");

    json_t *tmpl = render_pod_template_new(ctx, props, render_container_new(ctx, props));
    json_t *pod = json_object_get(tmpl, "spec");
    json_object_set_new(pod, "restartPolicy", json_string(restart ? restart : "Never"));
    render_pull_secrets(pod, secrets);

    /* the job template's metadata is the pod template's: the same labels and annotations */
    json_t *job_spec = json_pack("{s:o,s:o}", "parallelism", cron_int(props, "count", 1),
                                 "completions", cron_int(props, "count", 1));
    cron_set_if(job_spec, props, "ttlSecondsAfterFinished");
    cron_set_if(job_spec, props, "activeDeadlineSeconds");
    json_object_set_new(job_spec, "backoffLimit", cron_int(props, "backoffLimit", 6));
    json_object_set_new(job_spec, "template", tmpl);
    json_t *job = json_pack("{s:O,s:o}", "metadata", json_object_get(tmpl, "metadata"), "spec",
                            job_spec);

    json_t *spec =
        json_pack("{s:O,s:s,s:b,s:o,s:o}", "schedule", json_object_get(props, "schedule"),
                  "concurrencyPolicy", policy ? policy : "Allow", "suspend", json_is_true(suspend),
                  "successfulJobsHistoryLimit", cron_int(props, "successfulJobsHistoryLimit", 3),
                  "failedJobsHistoryLimit", cron_int(props, "failedJobsHistoryLimit", 1));
    cron_set_if(spec, props, "startingDeadlineSeconds");
    json_object_set_new(spec, "jobTemplate", job);
    json_object_set_new(cj, "spec", spec);
    json_array_append_new(ctx->objects, cj);
    (void)e;
    return 0;
}

/* KubeVela's cron-task has no healthPolicy: the CronJob is healthy once it exists, with no
 * message (its runs come and go; a failed run does not make the component unhealthy). */
static void cron_health(const json_t *live, health *h)
{
    h->healthy = live != NULL;
    snprintf(h->msg, sizeof(h->msg), "%s", live ? "" : "CronJob not found");
}

const component_def component_cron_task = {
    .type = "cron-task",
    .props = cron_props,
    .workload_api_version = "batch/v1",
    .workload_kind = "CronJob",
    .render = cron_render,
    .health = cron_health,
    .check = cron_check,
    .description = "A CronJob: runs the image to completion on a schedule.",
};
