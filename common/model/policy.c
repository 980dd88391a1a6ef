/* topology and override policies. Selection runs against a registry view, so the scheduler
 * (the live registry) and `vela dry-run` (--cluster options) share it. */
#include "model/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "yaml/ydoc.h"
#include "base/strbuf.h"

void policy_merge(json_t *dst, const json_t *patch)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        json_t *have = json_object_get(dst, k);
        if (json_is_object(v) && json_is_object(have))
            policy_merge(have, v);
        else
            json_object_set_new(dst, k, json_deep_copy(v));
    }
}

bool policy_labels_match(const json_t *labels, const json_t *selector)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)selector, k, v) {
        json_t *have = json_object_get(labels, k);
        if (!have || !json_equal(have, v))
            return false;
    }
    return true;
}

static void placement_add(json_t *out, const char *cluster, const char *ns)
{
    size_t i;
    json_t *p;
    json_array_foreach(out, i, p) {
        if (strcmp(json_string_value(json_object_get(p, "cluster")), cluster) == 0 &&
            strcmp(json_string_value(json_object_get(p, "namespace")), ns) == 0)
            return;
    }
    json_array_append_new(out, json_pack("{s:s,s:s}", "cluster", cluster, "namespace", ns));
}

static const cluster_ref *registry_find(const registry_view *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++)
        if (strcmp(reg->clusters[i].name, name) == 0)
            return &reg->clusters[i];
    return NULL;
}

static int cmp_cluster_ref(const void *a, const void *b)
{
    return strcmp(((const cluster_ref *)a)->name, ((const cluster_ref *)b)->name);
}

static int topology_select(const app *a, const json_t *policy, const registry_view *reg,
                           json_t *out, verr *e)
{
    const char *pname = json_string_value(json_object_get(policy, "name"));
    json_t *props = json_object_get(policy, "properties");
    json_t *clusters = json_object_get(props, "clusters");
    json_t *selector = json_object_get(props, "clusterLabelSelector");
    const char *ns = json_string_value(json_object_get(props, "namespace"));
    bool allow_empty = json_is_true(json_object_get(props, "allowEmpty"));
    size_t i, before = json_array_size(out);
    json_t *c;
    char path[512];

    if (!ns)
        ns = a->ns;
    if (json_is_array(clusters)) {
        json_array_foreach(clusters, i, c) {
            const char *name = json_string_value(c);
            if (!reg->open && !registry_find(reg, name)) {
                path[0] = '\0';
                for (size_t pi = 0; pi < json_array_size(a->policies); pi++)
                    if (json_array_get(a->policies, pi) == policy)
                        snprintf(path, sizeof(path), "spec.policies[%zu].properties.clusters[%zu]",
                                 pi, i);
                return verr_set(e, path, "cluster \"%s\" not found", name);
            }
            placement_add(out, name, ns);
        }
        if (json_array_size(clusters) == 0 && !allow_empty)
            return verr_set(e, "", "topology policy \"%s\": no clusters listed", pname);
        return 0;
    }
    /* label selector: every match, ordered by cluster name */
    cluster_ref *sorted = xcalloc(reg->n, sizeof(*sorted));
    if (reg->n) /* an empty view may have clusters == NULL */
        memcpy(sorted, reg->clusters, reg->n * sizeof(*sorted));
    qsort(sorted, reg->n, sizeof(*sorted), cmp_cluster_ref);
    for (i = 0; i < reg->n; i++)
        if (policy_labels_match(sorted[i].labels, selector))
            placement_add(out, sorted[i].name, ns);
    free(sorted);
    if (json_array_size(out) == before && !allow_empty) {
        strbuf sb;
        const char *k;
        json_t *v;
        strbuf_init(&sb, 4096);
        json_object_foreach(selector, k, v) {
            /* past the cap the list is cut short; the message stays useful */
            if (strbuf_addf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_string_value(v)) < 0)
                break;
        }
        verr_set(e, "", "topology policy \"%s\": no cluster matches labels %s", pname,
                 sb.data ? sb.data : "");
        strbuf_release(&sb);
        return -1;
    }
    return 0;
}

int policy_placements(const app *a, const app_step *s, const registry_view *reg, json_t **out,
                      verr *e)
{
    json_t *placements = json_array();
    size_t i;
    json_t *name;
    int topologies = 0;

    *out = NULL;
    json_array_foreach(s->policies, i, name) {
        json_t *policy = app_policy(a, json_string_value(name));
        if (!policy) {
            json_decref(placements);
            return verr_set(e, s->path, "policy \"%s\" not found", json_string_value(name));
        }
        if (strcmp(json_string_value(json_object_get(policy, "type")), "topology") != 0)
            continue;
        topologies++;
        if (topology_select(a, policy, reg, placements, e) < 0) {
            json_decref(placements);
            return -1;
        }
    }
    if (!topologies) {
        if (!reg->open && !registry_find(reg, "local")) {
            json_decref(placements);
            return verr_set(e, s->path,
                            "step \"%s\" lists no topology policy, so it deploys to the cluster "
                            "\"local\", which is not joined; add a topology policy or run "
                            "'vela cluster join KUBECONFIG --name local'",
                            s->name);
        }
        placement_add(placements, "local", a->ns);
    }
    *out = placements;
    return 0;
}

/* Merges an override entry's traits into a component's traits (by type). */
static void override_traits(json_t *comp, const json_t *patch_traits)
{
    json_t *traits = json_object_get(comp, "traits");
    size_t i, j;
    json_t *pt, *t;
    if (!json_is_array(traits)) {
        traits = json_array();
        json_object_set_new(comp, "traits", traits);
    }
    json_array_foreach(patch_traits, i, pt) {
        const char *type = json_string_value(json_object_get(pt, "type"));
        bool disable = json_is_true(json_object_get(pt, "disable"));
        json_t *props = json_object_get(pt, "properties");
        int found = 0;
        json_array_foreach(traits, j, t) {
            if (strcmp(json_string_value(json_object_get(t, "type")), type) != 0)
                continue;
            found = 1;
            if (disable) {
                json_array_remove(traits, j);
            } else if (json_is_object(props)) {
                json_t *have = json_object_get(t, "properties");
                if (!json_is_object(have)) {
                    have = json_object();
                    json_object_set_new(t, "properties", have);
                }
                policy_merge(have, props);
            }
            break;
        }
        if (!found && !disable) {
            json_t *nt = json_pack("{s:s}", "type", type);
            if (json_is_object(props))
                json_object_set_new(nt, "properties", json_deep_copy(props));
            json_array_append_new(traits, nt);
        }
    }
}

static void override_merge(json_t *comp, const json_t *entry)
{
    json_t *props = json_object_get(entry, "properties");
    if (json_is_object(props)) {
        json_t *have = json_object_get(comp, "properties");
        if (!json_is_object(have)) {
            have = json_object();
            json_object_set_new(comp, "properties", have);
        }
        policy_merge(have, props);
    }
    override_traits(comp, json_object_get(entry, "traits"));
}

/* A component made from an entry: exactly its properties and non-disabled traits. */
static json_t *override_component_new(const char *name, const json_t *entry)
{
    json_t *props = json_object_get(entry, "properties");
    json_t *c = json_pack("{s:s,s:O,s:o,s:[]}", "name", name, "type",
                          json_object_get(entry, "type"), "properties",
                          json_is_object(props) ? json_deep_copy(props) : json_object(), "traits");
    override_traits(c, json_object_get(entry, "traits"));
    return c;
}

int policy_override_apply(json_t *components, const json_t *props, const char *path, verr *e)
{
    json_t *entries = json_object_get(props, "components");
    json_t *selector = json_object_get(props, "selector");
    size_t i, j;
    json_t *entry, *comp;
    char p[512];

    json_array_foreach(entries, i, entry) {
        const char *name = json_string_value(json_object_get(entry, "name"));
        const char *type = json_string_value(json_object_get(entry, "type"));
        if (!name) {
            json_array_foreach(components, j, comp) {
                if (!type || strcmp(type, json_string_value(json_object_get(comp, "type"))) == 0)
                    override_merge(comp, entry);
            }
            continue;
        }
        int matched = 0;
        json_array_foreach(components, j, comp) {
            const char *cname = json_string_value(json_object_get(comp, "name"));
            if (!glob_match(name, cname))
                continue;
            matched = 1;
            if (type && strcmp(type, json_string_value(json_object_get(comp, "type"))) != 0)
                json_array_set_new(components, j, override_component_new(cname, entry));
            else
                override_merge(comp, entry);
        }
        if (!matched && !strchr(name, '*')) {
            snprintf(p, sizeof(p), "%s.components[%zu]", path, i);
            if (!type)
                return verr_set(e, p,
                                "component \"%s\" does not exist, and the entry has no "
                                "type to add it with",
                                name);
            if (!is_dns1123_label(name))
                return verr_set(e, p, "component name \"%s\" is not a valid name", name);
            json_array_append_new(components, override_component_new(name, entry));
        }
    }
    if (json_is_array(selector)) {
        json_t *kept = json_array();
        json_array_foreach(components, j, comp) {
            json_t *want;
            size_t k;
            json_array_foreach(selector, k, want) {
                if (json_equal(want, json_object_get(comp, "name"))) {
                    json_array_append(kept, comp);
                    break;
                }
            }
        }
        json_array_clear(components);
        json_array_extend(components, kept);
        json_decref(kept);
    }
    return 0;
}

int policy_components(const app *a, const app_step *s, json_t **out, verr *e)
{
    json_t *components = json_deep_copy(a->components);
    size_t i, pi;
    json_t *name;
    char path[128];

    *out = NULL;
    json_array_foreach(s->policies, i, name) {
        json_t *policy = app_policy(a, json_string_value(name));
        if (!policy || strcmp(json_string_value(json_object_get(policy, "type")), "override") != 0)
            continue;
        for (pi = 0; json_array_get(a->policies, pi) != policy; pi++)
            ;
        snprintf(path, sizeof(path), "spec.policies[%zu].properties", pi);
        if (policy_override_apply(components, json_object_get(policy, "properties"), path, e) < 0) {
            json_decref(components);
            return -1;
        }
    }
    *out = components;
    return 0;
}
