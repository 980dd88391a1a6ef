/* The CLI's command table types. Each command family lives in its own file and exports
 * its handler and usage text; vela.c holds the one table that dispatches to them. */
#ifndef VELA_CLI_H
#define VELA_CLI_H

#include "kafka/opts.h"

enum cli_flags {
    NEED_KAFKA = 1 << 0, /* talks to the brokers */
};

/* Exit statuses (DESIGN.md): 0 success, 1 failure, 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* A handler gets argv with argv[0] = the command's name and global options removed. */
typedef int (*cli_fn)(int argc, char **argv, const vela_opts *opts);

struct cli_command {
    const char *name;
    cli_fn fn;
    int flags;
    const char *summary;
    const char *usage;
};

/* Prints usage to stdout for -h (returns 0) or a reason and usage hint to stderr (returns 2). */
int cli_usage(const struct cli_command *cmd, const char *reason);
/* Finds the command's table row by name, for handlers that print their own usage. */
const struct cli_command *cli_find(const char *name);
/* True when any argument is -h or --help. */
int cli_wants_help(int argc, char **argv);

int cmd_dry_run(int argc, char **argv, const vela_opts *opts);
extern const char cmd_dry_run_usage[];
int cmd_cluster(int argc, char **argv, const vela_opts *opts);
extern const char cmd_cluster_usage[];
int cmd_up(int argc, char **argv, const vela_opts *opts);
extern const char cmd_up_usage[];
int cmd_status(int argc, char **argv, const vela_opts *opts);
extern const char cmd_status_usage[];
int cmd_ls(int argc, char **argv, const vela_opts *opts);
extern const char cmd_ls_usage[];
int cmd_delete(int argc, char **argv, const vela_opts *opts);
extern const char cmd_delete_usage[];
int cmd_workflow(int argc, char **argv, const vela_opts *opts);
extern const char cmd_workflow_usage[];

#endif
