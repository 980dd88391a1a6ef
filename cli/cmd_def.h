/* vela def list and vela show (cmd_def.c): the built-in definitions and their properties.
 * Handlers as cli.h describes them. */
#ifndef VELA_CLI_CMD_DEF_H
#define VELA_CLI_CMD_DEF_H

#include "cli.h"

int cmd_def_list(int argc, char **argv, vela_opts *opts);
int cmd_show(int argc, char **argv, vela_opts *opts);

#endif
