/* vela: the command-line interface. One table maps each command to its handler, flags and
 * usage text (git's git.c); the handlers live in one file per command family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jpool.h"
#include "cli.h"
#include "base/log.h"

static const struct cli_command commands[] = {
    {"cluster", cmd_cluster, NEED_KAFKA, "join, list, label, detach and rename clusters",
     cmd_cluster_usage},
    {"up", cmd_up, NEED_KAFKA, "submit an Application (a new revision when its spec changed)",
     cmd_up_usage},
    {"status", cmd_status, NEED_KAFKA, "show an Application's phase, workflow and services",
     cmd_status_usage},
    {"ls", cmd_ls, NEED_KAFKA, "list Applications", cmd_ls_usage},
    {"delete", cmd_delete, NEED_KAFKA, "delete an Application from every cluster",
     cmd_delete_usage},
    {"workflow", cmd_workflow, NEED_KAFKA, "resume a suspended workflow, or restart one", cmd_workflow_usage},
    {"dry-run", cmd_dry_run, 0, "render an Application offline, as the scheduler would",
     cmd_dry_run_usage},
};

const struct cli_command *cli_find(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

int cli_usage(const struct cli_command *cmd, const char *reason)
{
    if (!reason) {
        fputs(cmd->usage, stdout);
        fputs("\n", stdout);
        fputs(opts_global_help, stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "error: %s\n", reason);
    fprintf(stderr, "Run 'vela %s -h' for usage.\n", cmd->name);
    return EXIT_USAGE;
}

static void vela_print_help(FILE *out)
{
    fputs("vela: deliver Applications to many Kubernetes clusters over Kafka\n\n"
          "Usage: vela [global options] COMMAND [options]\n\nCommands:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'vela COMMAND -h' for a command's options.\n\n", out);
    fputs(opts_global_help, out);
}

int main(int argc, char **argv)
{
    vela_opts opts;
    char err[512];
    int rc;

    jpool_init(); /* before any JSON value exists */
    log_set_program("vela");
    log_threshold = LOG_WARN;
    log_set_level(getenv("VELA_LOG_LEVEL"));
    opts_init(&opts);
    if (opts_parse_global(&opts, &argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "error: %s\n", err);
        opts_release(&opts);
        return EXIT_USAGE;
    }
    if (argc < 2) {
        vela_print_help(stderr);
        opts_release(&opts);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        vela_print_help(stdout);
        opts_release(&opts);
        return EXIT_OK;
    }
    const struct cli_command *cmd = cli_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "error: unknown command \"%s\"; run 'vela -h' for the list\n", argv[1]);
        opts_release(&opts);
        return EXIT_USAGE;
    }
    rc = cmd->fn(argc - 1, argv + 1, &opts);
    opts_release(&opts);
    return rc;
}
