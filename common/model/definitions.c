/* The tables of component types and traits. Add a row here and a file under components/ or
 * traits/ to add a type. */
#include <stdio.h>
#include <string.h>

#include "model/components/components.h"
#include "model/definitions.h"
#include "model/traits/traits.h"

/* Kept in alphabetical order: the "known types" messages list them in this order. */
static const component_def *const component_defs[] = {
    &component_cron_task,   &component_daemon, &component_k8s_objects, &component_raw,
    &component_statefulset, &component_task,   &component_webservice,  &component_worker,
};

static const trait_def *const trait_defs[] = {
    &trait_affinity,
    &trait_annotations,
    &trait_command,
    &trait_container_image,
    &trait_container_ports,
    &trait_cpuscaler,
    &trait_env,
    &trait_expose,
    &trait_gateway,
    &trait_hostalias,
    &trait_hpa,
    &trait_init_container,
    &trait_json_merge_patch,
    &trait_json_patch,
    &trait_k8s_update_strategy,
    &trait_labels,
    &trait_lifecycle,
    &trait_pure_ingress,
    &trait_resource,
    &trait_scaler,
    &trait_service_account,
    &trait_sidecar,
    &trait_startup_probe,
    &trait_storage,
    &trait_topologyspreadconstraints,
};

const component_def *component_def_find(const char *type)
{
    for (size_t i = 0; i < sizeof(component_defs) / sizeof(component_defs[0]); i++)
        if (strcmp(component_defs[i]->type, type) == 0)
            return component_defs[i];
    return NULL;
}

const trait_def *trait_def_find(const char *type)
{
    for (size_t i = 0; i < sizeof(trait_defs) / sizeof(trait_defs[0]); i++)
        if (strcmp(trait_defs[i]->type, type) == 0)
            return trait_defs[i];
    return NULL;
}

const component_def *component_def_at(size_t i)
{
    return i < sizeof(component_defs) / sizeof(component_defs[0]) ? component_defs[i] : NULL;
}

const trait_def *trait_def_at(size_t i)
{
    return i < sizeof(trait_defs) / sizeof(trait_defs[0]) ? trait_defs[i] : NULL;
}

void defs_component_names(char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(component_defs) / sizeof(component_defs[0]) && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", component_defs[i]->type);
}

void defs_trait_names(char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(trait_defs) / sizeof(trait_defs[0]) && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", trait_defs[i]->type);
}
