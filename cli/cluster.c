/* vela cluster join / list / labels add|del / detach / rename: the cluster registry commands.
 * Each subcommand is a row of the table below with its usage text; the registry itself is
 * the compacted topic vela.clusters (common/cluster_registry.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jpool.h"
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

const char cmd_cluster_usage[] =
    "Usage: vela cluster COMMAND [options]\n"
    "\n"
    "Manage the clusters Applications are delivered to (the registry in vela.clusters).\n"
    "\n"
    "Commands:\n"
    "  join KUBECONFIG --name NAME [--labels k=v,...] [--region REGION]\n"
    "                                 join a cluster with the kubeconfig's credentials\n"
    "  list [-o table|json]           list the joined clusters\n"
    "  labels add NAME k=v[,k=v...]   add or change labels of a cluster\n"
    "  labels del NAME key[,key...]   remove labels of a cluster\n"
    "  detach NAME                    remove a cluster from the registry\n"
    "  rename OLD NEW                 rename a cluster\n"
    "\n"
    "Run 'vela cluster COMMAND -h' for a command's options.\n";

static const char cluster_join_usage[] =
    "Usage: vela cluster join KUBECONFIG --name NAME [--labels k=v,...] [--region REGION]\n"
    "                         [--context CONTEXT]\n"
    "\n"
    "Joins a cluster: reads the kubeconfig (its current context unless --context), calls the\n"
    "API server's /version with its credentials, and records the cluster with its endpoint,\n"
    "authentication type, labels and region. The credentials are sealed (AES-256-GCM) with\n"
    "the key in $VELA_SECRET_KEY_FILE (default ~/.vela/secret.key, created on first use).\n"
    "A cluster whose API server is unreachable or refuses the credentials is recorded with\n"
    "ACCEPTED false and the reason is printed (exit status 0: the record was written). A\n"
    "name that is already joined is refused: detach it first.\n"
    "\n"
    "Options:\n"
    "  --name NAME         the cluster's name (a DNS-1123 label), required\n"
    "  --labels k=v,...    labels, for topology policies' clusterLabelSelector\n"
    "  --region REGION     the region whose workers deliver to it (default \"default\")\n"
    "  --context CONTEXT   the kubeconfig context to use\n";

static const char cluster_list_usage[] =
    "Usage: vela cluster list [-o table|json]\n"
    "\n"
    "Lists the joined clusters: CLUSTER, TYPE, ENDPOINT, ACCEPTED and LABELS, one label per\n"
    "line. -o json prints the records (without credentials) as a JSON array.\n";

static const char cluster_labels_usage[] =
    "Usage: vela cluster labels add NAME k=v[,k=v...]\n"
    "       vela cluster labels del NAME key[,key...]\n"
    "\n"
    "Adds (or changes) or removes labels of a joined cluster, then prints its labels.\n";

static const char cluster_detach_usage[] =
    "Usage: vela cluster detach NAME\n"
    "\n"
    "Removes the cluster from the registry. Resources already delivered stay on it.\n";

static const char cluster_rename_usage[] =
    "Usage: vela cluster rename OLD NEW\n"
    "\n"
    "Renames a joined cluster (its credentials are sealed again under the new name).\n";

struct cluster_sub {
    const char *name;
    int (*fn)(const struct cluster_sub *sub, int argc, char **argv, const vela_opts *o);
    const char *usage;
};

static int cluster_usage(const struct cluster_sub *sub, const char *reason)
{
    if (!reason) {
        fputs(sub->usage, stdout);
        fputs("\n", stdout);
        fputs(opts_global_help, stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "error: %s\n", reason);
    fprintf(stderr, "Run 'vela cluster %s -h' for usage.\n", sub->name);
    return EXIT_USAGE;
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
    const char **keys = n ? calloc(n, sizeof(*keys)) : NULL;
    const char *k;
    json_t *v;
    if (!keys)
        return NULL;
    json_object_foreach((json_t *)labels, k, v) keys[i++] = k;
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

static int cluster_join(const struct cluster_sub *sub, int argc, char **argv, const vela_opts *o)
{
    const char *path = NULL, *name = NULL, *labels = NULL, *region = "default";
    const char *context = NULL;
    char err[1024], why[1024], version[128] = "";
    char reason[1100];
    kube_creds creds;
    cluster_record rec, existing;
    registry *reg = NULL;
    seal_key key;
    int rc = EXIT_FAIL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (strcmp(a, "--name") == 0)
            dst = &name;
        else if (strcmp(a, "--labels") == 0)
            dst = &labels;
        else if (strcmp(a, "--region") == 0)
            dst = &region;
        else if (strcmp(a, "--context") == 0)
            dst = &context;
        if (dst) {
            if (i + 1 >= argc) {
                snprintf(reason, sizeof(reason), "%s needs a value", a);
                return cluster_usage(sub, reason);
            }
            *dst = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            snprintf(reason, sizeof(reason), "unknown option \"%s\"", a);
            return cluster_usage(sub, reason);
        } else if (!path) {
            path = a;
        } else {
            snprintf(reason, sizeof(reason), "unexpected argument \"%s\"", a);
            return cluster_usage(sub, reason);
        }
    }
    if (!path)
        return cluster_usage(sub, "a KUBECONFIG file is required");
    if (!name)
        return cluster_usage(sub, "--name is required");
    if (!is_dns1123_label(name)) {
        snprintf(reason, sizeof(reason),
                 "cluster name \"%s\" is not a DNS-1123 label (lowercase letters, digits, '-')",
                 name);
        return cluster_usage(sub, reason);
    }
    if (!is_dns1123_label(region)) {
        snprintf(reason, sizeof(reason), "region \"%s\" is not a DNS-1123 label", region);
        return cluster_usage(sub, reason);
    }

    memset(&creds, 0, sizeof(creds));
    cluster_record_init(&rec);
    memset(&existing, 0, sizeof(existing)); /* filled by registry_get */
    memset(&key, 0, sizeof(key));
    json_t *lab = NULL;
    if (labels && cluster_parse_labels(labels, &lab, err, sizeof(err)) < 0) {
        rc = cluster_usage(sub, err);
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

    rec.name = strdup(name);
    rec.type = strdup(kube_auth_type_name(creds.auth));
    rec.endpoint = strdup(creds.server);
    rec.region = strdup(region);
    rec.labels = lab ? lab : json_object();
    lab = NULL; /* now owned by rec */
    if (kube_check_version(&creds, CLUSTER_VERSION_TIMEOUT_MS, version, sizeof(version), why,
                           sizeof(why)) == 0) {
        rec.accepted = true;
        rec.message = strdup("");
        rec.version = strdup(version);
    } else {
        rec.accepted = false;
        rec.message = strdup(why);
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

static int cluster_list(const struct cluster_sub *sub, int argc, char **argv, const vela_opts *o)
{
    const char *format = "table";
    char reason[256], err[1024];
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
            format = argv[++i];
        } else if (strncmp(argv[i], "-o", 2) == 0 && argv[i][2]) {
            format = argv[i] + 2;
        } else {
            snprintf(reason, sizeof(reason), "unexpected argument \"%s\"", argv[i]);
            return cluster_usage(sub, reason);
        }
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        snprintf(reason, sizeof(reason), "-o expects table or json, got \"%s\"", format);
        return cluster_usage(sub, reason);
    }
    registry *reg = cluster_open(o);
    if (!reg)
        return EXIT_FAIL;

    size_t n = 0;
    const char **names = registry_names(reg, &n);
    cluster_record *recs = calloc(n ? n : 1, sizeof(*recs));
    int rc = EXIT_FAIL;
    size_t nrec = 0;
    if (!recs)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        if (registry_get(reg, names[i], &recs[nrec], err, sizeof(err)) != 0) {
            log_warn("event=bad_cluster_record cluster=%s error=\"%s\"", names[i], err);
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
    const char *(*rows)[LIST_COLS] = calloc(nrows, sizeof(*rows));
    char **labels = calloc(nrows, sizeof(*labels));
    if (!rows || !labels) {
        free(rows);
        free(labels);
        goto cleanup;
    }
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
            if (nl && keys &&
                asprintf(&labels[row], "%s=%s", keys[l],
                         json_string_value(json_object_get(r->labels, keys[l]))) > 0)
                rows[row][4] = labels[row];
        }
        free(keys);
    }
    /* The seed's table (table.h); the CLUSTER column is at least 15 wide, as in the seed. */
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

static int cluster_labels(const struct cluster_sub *sub, int argc, char **argv,
                          const vela_opts *o)
{
    char err[1024], reason[256];
    if (argc != 4 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "del") != 0)) {
        if (argc >= 2 && strcmp(argv[1], "add") != 0 && strcmp(argv[1], "del") != 0)
            snprintf(reason, sizeof(reason), "unknown labels command \"%s\" (add or del)",
                     argv[1]);
        else
            snprintf(reason, sizeof(reason), "expected: labels add|del NAME LABELS");
        return cluster_usage(sub, reason);
    }
    int add = strcmp(argv[1], "add") == 0;
    const char *name = argv[2];
    json_t *change = NULL;
    if (add) {
        if (cluster_parse_labels(argv[3], &change, err, sizeof(err)) < 0)
            return cluster_usage(sub, err);
    } else {
        change = json_object();
        for (const char *p = argv[3]; *p;) {
            size_t n = strcspn(p, ",");
            if (n) {
                char *k = strndup(p, n);
                json_object_set_new(change, k, json_null());
                free(k);
            }
            p += n;
            if (*p == ',')
                p++;
        }
        if (json_object_size(change) == 0) {
            json_decref(change);
            return cluster_usage(sub, "no label key given");
        }
    }

    int rc = EXIT_FAIL;
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

static int cluster_detach(const struct cluster_sub *sub, int argc, char **argv,
                          const vela_opts *o)
{
    char err[1024];
    if (argc != 2 || argv[1][0] == '-')
        return cluster_usage(sub, argc < 2 ? "a cluster NAME is required"
                                           : "expected exactly one cluster NAME");
    int rc = EXIT_FAIL;
    cluster_record rec;
    memset(&rec, 0, sizeof(rec)); /* filled by registry_get */
    registry *reg = cluster_open(o);
    if (!reg)
        goto cleanup;
    if (registry_get(reg, argv[1], &rec, err, sizeof(err)) == 1) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    if (registry_delete(reg, argv[1], err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        goto cleanup;
    }
    printf("Detach cluster %s successfully.\n", argv[1]);
    rc = EXIT_OK;
cleanup:
    cluster_record_release(&rec);
    registry_close(reg);
    return rc;
}

/* ---- rename ------------------------------------------------------------------------------ */

static int cluster_rename(const struct cluster_sub *sub, int argc, char **argv,
                          const vela_opts *o)
{
    char err[1024], reason[256];
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
        return cluster_usage(sub, "expected OLD and NEW cluster names");
    const char *from = argv[1], *to = argv[2];
    if (!is_dns1123_label(to)) {
        snprintf(reason, sizeof(reason), "cluster name \"%s\" is not a DNS-1123 label", to);
        return cluster_usage(sub, reason);
    }
    int rc = EXIT_FAIL;
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
    rec.name = strdup(to);
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

/* ---- dispatch ---------------------------------------------------------------------------- */

static const struct cluster_sub cluster_subs[] = {
    {"join", cluster_join, cluster_join_usage},
    {"list", cluster_list, cluster_list_usage},
    {"ls", cluster_list, cluster_list_usage},
    {"labels", cluster_labels, cluster_labels_usage},
    {"detach", cluster_detach, cluster_detach_usage},
    {"rename", cluster_rename, cluster_rename_usage},
};

int cmd_cluster(int argc, char **argv, const vela_opts *opts)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        const struct cli_command *cmd = cli_find("cluster");
        if (argc < 2)
            return cli_usage(cmd, "a cluster command is required");
        return cli_usage(cmd, NULL);
    }
    for (size_t i = 0; i < ARRAY_LEN(cluster_subs); i++) {
        const struct cluster_sub *sub = &cluster_subs[i];
        if (strcmp(argv[1], sub->name) != 0)
            continue;
        if (cli_wants_help(argc - 1, argv + 1))
            return cluster_usage(sub, NULL);
        return sub->fn(sub, argc - 1, argv + 1, opts);
    }
    fprintf(stderr, "error: unknown cluster command \"%s\"\nRun 'vela cluster -h' for usage.\n",
            argv[1]);
    return EXIT_USAGE;
}
