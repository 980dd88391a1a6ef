/* Helpers shared by the tests that drive the scheduler's engine directly (test_engine,
 * test_msg_status): the seed's cluster registry, the examples, and a worker's final event
 * for a task, fed to the engine through the event codec as the scheduler reads events. */
#ifndef VELA_ENGINETEST_H
#define VELA_ENGINETEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* cmocka's fail() (fail_msg) leaves the test with longjmp but is not declared noreturn; tell
 * clang's static analyzer, so it does not follow the path past a failure. */
#ifdef __clang_analyzer__
void _fail(const char *const file, const int line) __attribute__((analyzer_noreturn));
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "engine.h"
#include "msg/event.h"

/* Not every test uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* examples/<name> as it is (malloc'd). */
static char *et_read_example(const char *name)
{
    char path[512], err[256], *buf = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/examples/%s", VELA_SOURCE_DIR, name);
    if (read_file(path, 1 << 20, &buf, &len, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return buf;
}

/* The seed's registry: beijing-1 and beijing-2 in region cn, us-west-1 in us with
 * aws_labels (NULL: no labels; the caller keeps its reference). */
static void et_seed_clusters(engine *e, const json_t *aws_labels, int64_t now)
{
    engine_cluster c[] = {{"beijing-1", NULL, "cn"},
                          {"beijing-2", NULL, "cn"},
                          {"us-west-1", aws_labels, "us"}};
    engine_set_clusters(e, c, 3, now);
}

/* What a worker answers to task: a final event of phase ("healthy", "failed", "deleted")
 * with message; each component a service, healthy when phase is "healthy", with the message
 * ready ("Ready:3/3"), its traits healthy (a gateway's message names its URL); the
 * resources of the task's manifests. The event goes through msg_event_decode into
 * engine_event at now. */
static void et_reply(engine *e, const json_t *task, const char *phase, const char *message,
                     const char *ready, int64_t now)
{
    json_t *services = json_array(), *resources = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(task, "components"), i, c) {
        json_t *traits = json_array();
        size_t j;
        json_t *t;
        json_array_foreach(json_object_get(c, "traits"), j, t) {
            const char *type = json_string_value(json_object_get(t, "type"));
            const char *msg = strcmp(type, "gateway") == 0
                                  ? "Visiting URL: testsvc-mc.example.com, IP: 10.0.0.1"
                                  : "";
            json_array_append_new(traits, json_pack("{s:s,s:b,s:s}", "type", type, "healthy", 1,
                                                    "message", msg));
        }
        json_array_append_new(
            services, json_pack("{s:O,s:O,s:b,s:s,s:o}", "name", json_object_get(c, "name"), "type",
                                json_object_get(c, "type"), "healthy",
                                strcmp(phase, "healthy") == 0, "message", ready, "traits", traits));
    }
    json_array_foreach(json_object_get(task, "manifests"), i, c) {
        json_t *meta = json_object_get(c, "metadata");
        json_array_append_new(resources, json_pack("{s:O,s:O,s:O,s:O}", "apiVersion",
                                                   json_object_get(c, "apiVersion"), "kind",
                                                   json_object_get(c, "kind"), "namespace",
                                                   json_object_get(meta, "namespace"), "name",
                                                   json_object_get(meta, "name")));
    }
    json_t *ref = json_object_get(task, "app");
    json_t *ev = json_pack(
        "{s:i,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:s,s:b,s:s,s:o,s:o,s:s}", "schemaVersion", 1,
        "taskId", json_object_get(task, "taskId"), "kind", json_object_get(task, "kind"), "app",
        ref, "step", json_object_get(task, "step"), "stepId", json_object_get(task, "stepId"),
        "attempt", json_object_get(task, "attempt"), "cluster", json_object_get(task, "cluster"),
        "namespace", json_object_get(task, "namespace"), "phase", phase, "final", 1, "message",
        message, "services", services, "resources", resources, "at", "2026-01-01T00:00:00Z");
    assert_non_null(ev);
    char key[256], err[256];
    snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(ref, "namespace")),
             json_string_value(json_object_get(ref, "name")));
    char *raw = json_dumps(ev, JSON_COMPACT);
    msg_event me;
    if (msg_event_decode(raw, strlen(raw), &me, err, sizeof(err)) != 0)
        fail_msg("event does not decode: %s: %s", err, raw);
    engine_event(e, key, &me, now);
    msg_event_release(&me);
    free(raw);
    json_decref(ev);
}

#endif
