/* Answers of the simulated API (reply.c): JSON bodies and metav1.Status errors, each answer
 * leaving as one TLS record. */
#ifndef KUBESIM_REPLY_H
#define KUBESIM_REPLY_H

#include "cluster.h"

struct evbuffer;

/* A connection's cleartext output (NULL when none). ks_reply_coalesce makes what was added
 * to it one chain, so that it leaves as one TLS record, when it held `before` = 0 bytes
 * before the answer was added. */
struct evbuffer *ks_reply_output(struct evhttp_connection *evcon);
void ks_reply_coalesce(struct evbuffer *out, size_t before);

/* Sends body (len bytes) with its content type. */
void ks_reply_text(struct evhttp_request *req, int code, const char *ctype, const char *body,
                   size_t len);
/* Sends obj (reference stolen) as JSON; 500 when it cannot be serialised. */
void ks_reply_json(struct evhttp_request *req, int code, json_t *obj);
/* Sends a metav1.Status failure; details (stolen) may be NULL. */
void ks_reply_status(struct evhttp_request *req, int code, const char *reason, const char *message,
                     json_t *details);
/* A Status's details for an object of r: {name, group, kind} (a new reference). */
json_t *ks_reply_details(enum ks_res r, const char *name);
/* 404: `deployments.apps "name" not found`. */
void ks_reply_not_found(struct evhttp_request *req, enum ks_res r, const char *name);
/* 404: `namespaces "ns" not found`. */
void ks_reply_ns_not_found(struct evhttp_request *req, const char *ns);
/* 400 BadRequest with msg. */
void ks_reply_bad_request(struct evhttp_request *req, const char *msg);
/* 422 Invalid with the causes from validation (stolen), as kube-apiserver words it. */
void ks_reply_invalid(struct evhttp_request *req, enum ks_res r, const char *name, json_t *causes);

#endif
