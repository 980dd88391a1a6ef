/* The cluster registry commands (cmd_cluster.c): vela cluster join, list, labels add|del,
 * detach and rename. Handlers as cli.h describes them. */
#ifndef VELA_CLI_CMD_CLUSTER_H
#define VELA_CLI_CMD_CLUSTER_H

#include "cli.h"

int cmd_cluster_join(int argc, char **argv, vela_opts *opts);
int cmd_cluster_list(int argc, char **argv, vela_opts *opts);
int cmd_cluster_labels_add(int argc, char **argv, vela_opts *opts);
int cmd_cluster_labels_del(int argc, char **argv, vela_opts *opts);
int cmd_cluster_detach(int argc, char **argv, vela_opts *opts);
int cmd_cluster_rename(int argc, char **argv, vela_opts *opts);

#endif
