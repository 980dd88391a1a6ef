/* vela dry-run (cmd_dry_run.c): renders an Application offline, as the scheduler would.
 * Handler as cli.h describes it. */
#ifndef VELA_CLI_CMD_DRY_RUN_H
#define VELA_CLI_CMD_DRY_RUN_H

#include "cli.h"

int cmd_dry_run(int argc, char **argv, vela_opts *opts);

#endif
