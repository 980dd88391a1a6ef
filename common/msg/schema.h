/* The schema version of every Kafka message, in one place. Each message's JSON Schema is
 * schemas/<message>.schema.json; a decoder refuses any other version with an error that
 * names the field, and docs/topics.md says what changes a version. */
#ifndef VELA_MSG_SCHEMA_H
#define VELA_MSG_SCHEMA_H

#define MSG_APPLICATION_SCHEMA_VERSION 1 /* vela.applications: envelope, deletion request */
#define MSG_CLUSTER_SCHEMA_VERSION 1     /* vela.clusters: cluster record */
#define MSG_TASK_SCHEMA_VERSION 1        /* vela.tasks.<region>: deploy and delete tasks */
#define MSG_EVENT_SCHEMA_VERSION 1       /* vela.events: workers' status events */
#define MSG_APP_STATUS_SCHEMA_VERSION 1  /* vela.app-status: aggregated status */

/* The largest record any decoder accepts, whatever the topic; bigger ones are refused
 * before parsing. */
#define MSG_MAX_BYTES (8u * 1024 * 1024)

#endif
