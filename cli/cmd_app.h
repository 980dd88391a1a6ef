/* The Application commands (cmd_app.c): vela up, status, ls, delete, workflow resume and
 * workflow restart. Handlers as cli.h describes them. */
#ifndef VELA_CLI_CMD_APP_H
#define VELA_CLI_CMD_APP_H

#include "cli.h"

int cmd_up(int argc, char **argv, vela_opts *opts);
int cmd_status(int argc, char **argv, vela_opts *opts);
int cmd_ls(int argc, char **argv, vela_opts *opts);
int cmd_delete(int argc, char **argv, vela_opts *opts);
int cmd_workflow_resume(int argc, char **argv, vela_opts *opts);
int cmd_workflow_restart(int argc, char **argv, vela_opts *opts);

#endif
