/* The Kubernetes API of one simulated cluster (api.c): the entry point of an authenticated
 * request, the request being served as discovery.c, verbs.c and apply.c see it, and the
 * helpers they share to read it. */
#ifndef KUBESIM_API_H
#define KUBESIM_API_H

#include "cluster.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define KS_MAX_SEGS 8

/* A request being served: its cluster and connection, its query parameters and its path
 * split at '/' (segs point into pathbuf). */
struct ks_req {
    struct ks_cluster *cl;
    struct evhttp_request *req;
    struct ks_conn *conn;
    enum evhttp_cmd_type method;
    struct evkeyvalq params;
    char *segs[KS_MAX_SEGS];
    int nsegs;
    char *pathbuf;
    bool want_table;  /* Accept asks for a meta.k8s.io Table (kubectl get) */
    bool reply_scale; /* the deployments/scale subresource: answer with an autoscaling/v1 Scale */
};

/* Handles one authenticated Kubernetes API request and answers it. */
void ks_api_handle(struct ks_cluster *cl, struct evhttp_request *req, struct ks_conn *conn);
/* Creates the namespaces and objects every cluster starts with. */
void ks_api_bootstrap(struct ks_cluster *cl);

/* A query parameter (NULL when absent); whether it is "1" or "true". */
const char *ks_api_param(struct ks_req *k, const char *name);
bool ks_api_param_true(struct ks_req *k, const char *name);
/* A request header, NULL when absent. */
const char *ks_api_header(struct ks_req *k, const char *name);
/* obj.metadata.<field> as a string (borrowed), NULL when absent. */
const char *ks_api_meta_str(const json_t *obj, const char *field);
/* The body as a JSON object (a new reference): JSON, or YAML when yaml says so or JSON
 * fails, or protobuf for the kinds proto.c decodes. NULL with a message otherwise ("protobuf"
 * for protobuf of other kinds): answer it with ks_api_send_body_error. */
json_t *ks_api_read_body(struct ks_req *k, bool yaml, char *err, size_t errlen);
/* Answers a body that ks_api_read_body refused: 415 for protobuf, 400 otherwise. */
void ks_api_send_body_error(struct ks_req *k, const char *err);
/* Checks the body's apiVersion and kind against r and fills them in (first, as the API
 * server prints them) when missing; makes sure metadata is an object. -1 after answering
 * 400 when they do not match. */
int ks_api_check_type(struct ks_req *k, enum ks_res r, json_t *obj);

#endif
