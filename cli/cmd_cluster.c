/* vela cluster join / list / labels add|del / detach / rename: the cluster registry commands.
 * Each command has its option table and usage next to it (rows of vela.c's table); the
 * registry itself is the compacted topic vela.clusters (registry/cluster_registry.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/jpool.h"
#include "cmd_cluster.h"
#include "cli.h"
#include "registry/cluster_registry.h"
#include "kube/blocking.h"
#include "kube/kubeconfig.h"
#include "base/log.h"
#include "registry/seal.h"
#include "table.h"
#include "base/util.h"

/* Reading the registry to its end, and /version at join. */
#define CLUSTER_SYNC_TIMEOUT_MS 15000
#define CLUSTER_VERSION_TIMEOUT_MS 10000

/* The options of join and list; each command's table picks its rows. */
struct cluster_args {
    const char *name, *labels, *region, *context;
    const char *output;
};

static const cmdline_opt join_opts[] = {
    {.name = "name",
     .kind = CMDLINE_STRING,
     .flags = CMDLINE_REQUIRED,
     .arg = "NAME",
     .offset = offsetof(struct cluster_args, name),
     .help = "the cluster's name (a DNS-1123 label)"},
    {.name = "labels",
     .kind = CMDLINE_STRING,
     .arg = "k=v,...",
     .offset = offsetof(struct cluster_args, labels),
     .help = "labels, for topology policies' clusterLabelSelector"},
    {.name = "region",
     .kind = CMDLINE_STRING,
     .arg = "REGION",
     .offset = offsetof(struct cluster_args, region),
     .help = "the region whose workers deliver to it (default \"default\")"},
    {.name = "context",
     .kind = CMDLINE_STRING,
     .arg = "CONTEXT",
     .offset = offsetof(struct cluster_args, context),
     .help = "the kubeconfig context to use (default: its current context)"},
    {0},
};
static const cmdline_cmd join_cmd = {
    .name = "vela cluster join",
    .args = "KUBECONFIG",
    .min_args = 1,
    .max_args = 1,
    .about = "Joins a cluster: reads the kubeconfig (its current context unless --context), calls\n"
             "the API server's /version with its credentials, and records the cluster with its\n"
             "endpoint, authentication type, labels and region. The credentials are sealed\n"
             "(AES-256-GCM) with the key in $VELA_SECRET_KEY_FILE (default ~/.vela/secret.key,\n"
             "created on first use). A cluster whose API server is unreachable or refuses the\n"
             "credentials is recorded with ACCEPTED false and the reason is printed (exit status\n"
             "0: the record was written). A name that is already joined is refused: detach it\n"
             "first.\n",
};

static const char *const list_formats[] = {"table", "json", NULL};
static const cmdline_opt list_opts[] = {
    {.name = "output",
     .letter = 'o',
     .kind = CMDLINE_ENUM,
     .choices = list_formats,
     .offset = offsetof(struct cluster_args, output),
     .help = "table (default) or json (the records, without credentials)"},
    {0},
};
static const cmdline_cmd list_cmd = {
    .name = "vela cluster list",
    .about = "Lists the joined clusters: CLUSTER, TYPE, ENDPOINT, ACCEPTED and LABELS, one label\n"
             "per line.\n",
};

static const cmdline_opt no_opts[] = {{0}};
static const cmdline_cmd labels_add_cmd = {
    .name = "vela cluster labels add",
    .args = "NAME k=v[,k=v...]",
    .min_args = 2,
    .max_args = 2,
    .about = "Adds (or changes) labels of a joined cluster, then prints its labels.\n",
};
static const cmdline_cmd labels_del_cmd = {
    .name = "vela cluster labels del",
    .args = "NAME key[,key...]",
    .min_args = 2,
    .max_args = 2,
    .about = "Removes labels of a joined cluster, then prints its labels.\n",
};
static const cmdline_cmd detach_cmd = {
    .name = "vela cluster detach",
    .args = "NAME",
    .min_args = 1,
    .max_args = 1,
    .about = "Removes the cluster from the registry. Resources already delivered stay on it.\n",
};
static const cmdline_cmd rename_cmd = {
    .name = "vela cluster rename",
    .args = "OLD NEW",
    .min_args = 2,
    .max_args = 2,
    .about = "Renames a joined cluster (its credentials are sealed again under the new name).\n",
};

/* Parses a command's line; the positional arguments go to pos (cmdline_args_release). */
static int cluster_parse(const cmdline_cmd *cmd, const cmdline_opt *table, struct cluster_args *a,
                         int argc, char **argv, vela_opts *o, cmdline_args *pos)
{
    memset(a, 0, sizeof(*a));
    a->region = "default";
    a->output = "table";
    return cli_parse(cmd, table, a, o, argc, argv, pos);
}

static registry *cluster_open(const vela_opts *o)
{
    char err[512];
    registry *reg = registry_open(o, NULL, NULL, CLUSTER_SYNC_TIMEOUT_MS, err, sizeof(err));
    if (!reg)
        fprintf(stderr, "error: cannot read the cluster registry: %s\n", err);
    return reg;
}

static int cluster_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of a labels object in byte order: a new array of borrowed strings (caller frees
 * the array), NULL when empty. */
static const char **cluster_label_keys(const json_t *labels)
{
    size_t n = json_object_size(labels), i = 0;
    const char *k;
    json_t *v;
    if (!n)
        return NULL;
    const char **keys = xcalloc(n, sizeof(*keys));
    json_object_foreach((json_t *)labels, k, v)
        keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cluster_strcmp);
    return keys;
}

/* Prints the cluster's labels, one k=v a line, sorted by key. */
static void cluster_print_labels(const cluster_record *r)
{
    size_t n = json_object_size(r->labels);
    const char **keys = cluster_label_keys(r->labels);
    if (!keys) {
        printf("No valid label exists.\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s=%s\n", keys[i], json_string_value(json_object_get(r->labels, keys[i])));
    free(keys);
}

/* ---- join -------------------------------------------------------------------------------- */

int cmd_cluster_join(int argc, char **argv, vela_opts *o)
{
    struct cluster_args a;
    cmdline_args pos;
    char err[1024], why[1024], version[128] = "";
    kube_creds creds;
    cluster_record rec, existing;
    registry *reg = NULL;
    seal_key key;
    int rc = cluster_parse(&join_cmd, join_opts, &a, argc, argv, o, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    const char *path = pos.argv[0], *name = a.name, *labels = a.labels, *region = a.region;
    const char *context = a.context;
    cmdline_args_release(&pos); /* path points into argv */
    rc = EXIT_FAIL;

    if (!is_dns1123_label(name))
        return cmdline_usage_error("--name: cluster name \"%s\" is not a DNS-1123 label "
                                   "(lowercase letters, digits, '-')",
                                   name);
    if (!is_dns1123_label(region))
        return cmdline_usage_error("--region: \"%s\" is not a DNS-1123 label", region);

    memset(&creds, 0, sizeof(creds));
    cluster_record_init(&rec);
    memset(&existing, 0, sizeof(existing)); /* filled by registry_get */
    memset(&key, 0, sizeof(key));
    json_t *lab = NULL;
    if (labels && cluster_parse_labels(labels, &lab, err, sizeof(err)) < 0) {
        rc = cmdline_usage_error("--labels: %s", err);
        goto cleanup;
    }
    if (kubeconfig_load(path, context, &creds, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    char key_path[4096];
    int key_existed = seal_key_path(NULL, key_path, sizeof(key_path)) == 0 &&
                      access(key_path, F_OK) == 0;
    if (seal_key_load(NULL, 1, &key, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    if (!key_existed)
        fprintf(stderr,
                "note: created the secret key %s (mode 0600); the scheduler and the workers "
                "need this file too (VELA_SECRET_KEY_FILE)\n",
                key_path);
    if (!(reg = cluster_open(o)))
        goto cleanup;
    int found = registry_get(reg, name, &existing, err, sizeof(err));
    if (found == 0 || found < 0) {
        fprintf(stderr,
                "error: cluster \"%s\" is already joined; detach it first or choose another "
                "--name\n",
                name);
        goto cleanup;
    }

    rec.name = xstrdup(name);
    rec.type = xstrdup(kube_auth_type_name(creds.auth));
    rec.endpoint = xstrdup(creds.server);
    rec.region = xstrdup(region);
    rec.labels = lab ? lab : json_object();
    lab = NULL; /* now owned by rec */
    if (kube_check_version(&creds, CLUSTER_VERSION_TIMEOUT_MS, version, sizeof(version), why,
                           sizeof(why)) == 0) {
        rec.accepted = true;
        rec.message = xstrdup("");
        rec.version = xstrdup(version);
    } else {
        rec.accepted = false;
        rec.message = xstrdup(why);
    }
    if (cluster_record_seal(&rec, &key, &creds, err, sizeof(err)) < 0 ||
        registry_put(reg, &rec, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    if (rec.accepted)
        printf("Successfully add cluster %s, endpoint: %s.\n", rec.name, rec.endpoint);
    else
        printf("Added cluster %s, endpoint: %s, but it is not accepted: %s\n", rec.name,
               rec.endpoint, rec.message);
    rc = EXIT_OK;
cleanup:
    json_decref(lab);
    seal_key_wipe(&key);
    kube_creds_release(&creds);
    cluster_record_release(&rec);
    cluster_record_release(&existing);
    registry_close(reg);
    return rc;
}

/* ---- list -------------------------------------------------------------------------------- */

#define LIST_COLS 5

int cmd_cluster_list(int argc, char **argv, vela_opts *o)
{
    struct cluster_args a;
    cmdline_args pos;
    char err[1024];
    int rc = cluster_parse(&list_cmd, list_opts, &a, argc, argv, o, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    cmdline_args_release(&pos);
    const char *format = a.output;
    registry *reg = cluster_open(o);
    if (!reg)
        return EXIT_FAIL;

    size_t n = 0;
    const char **names = registry_names(reg, &n);
    cluster_record *recs = xcalloc(n ? n : 1, sizeof(*recs));
    size_t nrec = 0;
    for (size_t i = 0; i < n; i++) {
        if (registry_get(reg, names[i], &recs[nrec], err, sizeof(err)) != 0) {
            /* reported once when the table was read (msg="record refused") */
            log_debug("event=bad_cluster_record cluster=%s error=\"%s\"", names[i], err);
            cluster_record_release(&recs[nrec]);
            continue;
        }
        nrec++;
    }

    if (strcmp(format, "json") == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < nrec; i++) {
            json_t *j = cluster_record_to_json(&recs[i]);
            json_object_del(j, "credentials");
            json_array_append_new(arr, j);
        }
        char *s = vela_json_dumps(arr, JSON_INDENT(2));
        json_decref(arr);
        if (s)
            printf("%s\n", s);
        free(s);
        rc = EXIT_OK;
        goto cleanup;
    }

    /* One row per label (at least one per cluster), the cluster's cells on its first. */
    size_t nrows = 1;
    for (size_t i = 0; i < nrec; i++)
        nrows += json_object_size(recs[i].labels) ? json_object_size(recs[i].labels) : 1;
    const char *(*rows)[LIST_COLS] = xcalloc(nrows, sizeof(*rows));
    char **labels = xcalloc(nrows, sizeof(*labels));
    static const char *const header[LIST_COLS] = {"CLUSTER", "TYPE", "ENDPOINT", "ACCEPTED",
                                                  "LABELS"};
    memcpy(rows[0], header, sizeof(header));
    size_t row = 1;
    for (size_t i = 0; i < nrec; i++) {
        cluster_record *r = &recs[i];
        size_t nl = json_object_size(r->labels);
        const char **keys = cluster_label_keys(r->labels);
        for (size_t l = 0; l < (nl ? nl : 1); l++, row++) {
            for (int c = 0; c < LIST_COLS; c++)
                rows[row][c] = "";
            if (l == 0) {
                rows[row][0] = r->name;
                rows[row][1] = r->type;
                rows[row][2] = r->endpoint;
                rows[row][3] = r->accepted ? "true" : "false";
            }
            if (nl) {
                const char *value = json_string_value(json_object_get(r->labels, keys[l]));
                size_t size = strlen(keys[l]) + strlen(value ? value : "") + 2;
                labels[row] = xmalloc(size);
                snprintf(labels[row], size, "%s=%s", keys[l], value ? value : "");
                rows[row][4] = labels[row];
            }
        }
        free(keys);
    }
    /* The walkthrough's table (table.h); CLUSTER is at least 15 wide (docs/cli.md). */
    static const size_t min_width[LIST_COLS] = {15, 0, 0, 0, 0};
    table_print(stdout, (const char *const *)rows, row, LIST_COLS, min_width);
    for (size_t i = 0; i < nrows; i++)
        free(labels[i]);
    free(labels);
    free(rows);
    rc = EXIT_OK;
cleanup:
    for (size_t i = 0; i < nrec; i++)
        cluster_record_release(&recs[i]);
    free(recs);
    free(names);
    registry_close(reg);
    return rc;
}

/* ---- labels ------------------------------------------------------------------------------ */

/* labels add / del NAME LIST: the change, then the record written back. */
static int cluster_labels(const cmdline_cmd *cmd, int add, int argc, char **argv, vela_opts *o)
{
    struct cluster_args a;
    cmdline_args pos;
    char err[1024];
    int rc = cluster_parse(cmd, no_opts, &a, argc, argv, o, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    const char *name = pos.argv[0], *list = pos.argv[1];
    cmdline_args_release(&pos); /* both point into argv */
    json_t *change = NULL;
    if (add) {
        if (cluster_parse_labels(list, &change, err, sizeof(err)) < 0)
            return cmdline_usage_error("%s", err);
    } else {
        change = json_object();
        for (const char *p = list; *p;) {
            size_t n = strcspn(p, ",");
            if (n) {
                char *k = xstrndup(p, n);
                json_object_set_new(change, k, json_null());
                free(k);
            }
            p += n;
            if (*p == ',')
                p++;
        }
        if (json_object_size(change) == 0) {
            json_decref(change);
            return cmdline_usage_error("no label key given; see '%s --help'", cmd->name);
        }
    }

    rc = EXIT_FAIL;
    cluster_record rec;
    memset(&rec, 0, sizeof(rec)); /* filled by registry_get */
    registry *reg = cluster_open(o);
    if (!reg)
        goto cleanup;
    if (registry_get(reg, name, &rec, err, sizeof(err)) != 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    const char *k;
    json_t *v;
    json_object_foreach(change, k, v) {
        if (add) {
            json_object_set(rec.labels, k, v);
        } else if (json_object_del(rec.labels, k) < 0) {
            fprintf(stderr, "error: cluster \"%s\" has no label \"%s\"\n", name, k);
            goto cleanup;
        }
    }
    if (registry_put(reg, &rec, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    printf("Successfully update labels for cluster %s (type: %s).\n", rec.name, rec.type);
    cluster_print_labels(&rec);
    rc = EXIT_OK;
cleanup:
    json_decref(change);
    cluster_record_release(&rec);
    registry_close(reg);
    return rc;
}

/* ---- detach ------------------------------------------------------------------------------ */

int cmd_cluster_detach(int argc, char **argv, vela_opts *o)
{
    struct cluster_args a;
    cmdline_args pos;
    char err[1024];
    int rc = cluster_parse(&detach_cmd, no_opts, &a, argc, argv, o, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    const char *name = pos.argv[0];
    cmdline_args_release(&pos); /* name points into argv */
    rc = EXIT_FAIL;
    cluster_record rec;
    memset(&rec, 0, sizeof(rec)); /* filled by registry_get */
    registry *reg = cluster_open(o);
    if (!reg)
        goto cleanup;
    if (registry_get(reg, name, &rec, err, sizeof(err)) == 1) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    if (registry_delete(reg, name, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    printf("Detach cluster %s successfully.\n", name);
    rc = EXIT_OK;
cleanup:
    cluster_record_release(&rec);
    registry_close(reg);
    return rc;
}

/* ---- rename ------------------------------------------------------------------------------ */

int cmd_cluster_rename(int argc, char **argv, vela_opts *o)
{
    struct cluster_args a;
    cmdline_args pos;
    char err[1024];
    int rc = cluster_parse(&rename_cmd, no_opts, &a, argc, argv, o, &pos);
    if (rc != CMDLINE_CONTINUE)
        return rc;
    const char *from = pos.argv[0], *to = pos.argv[1];
    cmdline_args_release(&pos); /* both point into argv */
    if (!is_dns1123_label(to))
        return cmdline_usage_error("cluster name \"%s\" is not a DNS-1123 label", to);
    rc = EXIT_FAIL;
    cluster_record rec, other;
    kube_creds creds;
    seal_key key;
    memset(&creds, 0, sizeof(creds));
    memset(&key, 0, sizeof(key));
    memset(&rec, 0, sizeof(rec)); /* filled by registry_get */
    memset(&other, 0, sizeof(other));
    registry *reg = cluster_open(o);
    if (!reg)
        goto cleanup;
    if (registry_get(reg, from, &rec, err, sizeof(err)) != 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    if (strcmp(from, to) != 0 && registry_get(reg, to, &other, err, sizeof(err)) != 1) {
        fprintf(stderr, "error: cluster \"%s\" already exists\n", to);
        goto cleanup;
    }
    /* The sealed credentials are bound to the name: open them and seal them again. */
    if (seal_key_load(NULL, 0, &key, err, sizeof(err)) < 0 ||
        cluster_record_creds(&rec, &key, &creds, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    free(rec.name);
    rec.name = xstrdup(to);
    if (cluster_record_seal(&rec, &key, &creds, err, sizeof(err)) < 0 ||
        registry_put(reg, &rec, err, sizeof(err)) < 0 ||
        (strcmp(from, to) != 0 && registry_delete(reg, from, err, sizeof(err)) < 0)) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    printf("Rename cluster %s to %s successfully.\n", from, to);
    rc = EXIT_OK;
cleanup:
    seal_key_wipe(&key);
    kube_creds_release(&creds);
    cluster_record_release(&rec);
    cluster_record_release(&other);
    registry_close(reg);
    return rc;
}

int cmd_cluster_labels_add(int argc, char **argv, vela_opts *o)
{
    return cluster_labels(&labels_add_cmd, 1, argc, argv, o);
}

int cmd_cluster_labels_del(int argc, char **argv, vela_opts *o)
{
    return cluster_labels(&labels_del_cmd, 0, argc, argv, o);
}
