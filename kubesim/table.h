/* meta.k8s.io/v1 Tables for `kubectl get` (table.c). */
#ifndef KUBESIM_TABLE_H
#define KUBESIM_TABLE_H

#include "cluster.h"

/* A Table of items (a JSON array, reference stolen) of resource r at resourceVersion rv,
 * with the columns kubectl prints for the kind (a new reference). */
json_t *ks_table_build(enum ks_res r, json_t *items, const char *rv);

#endif
