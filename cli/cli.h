/* What vela.c and every command share: the handler type, the command table's row, option
 * parsing (cli_parse, in vela.c) and the exit statuses. Each command family lives in its own
 * file (cmd_<family>.c) and declares its handlers in its header (cmd_<family>.h); each
 * handler's options are a cmdline table next to it (usage generated from it), and vela.c
 * holds the one table that dispatches to them. */
#ifndef VELA_CLI_H
#define VELA_CLI_H

#include "base/cmdline.h"
#include "kafka/opts.h"

/* Exit statuses (docs/cli.md): 0 success, 1 failure, 2 usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* A handler gets the arguments after its command's words, argv[0] being the last word
 * (not read), and the Kafka options given before the command (it parses the rest). */
typedef int (*cli_fn)(int argc, char **argv, vela_opts *opts);

struct cli_command {
    const char *name; /* the words after "vela": "up", "cluster join" */
    cli_fn fn;
    const char *summary; /* for 'vela --help'; NULL hides an alias */
};

/* Parses a command's arguments: its own table (values into args) merged with the Kafka
 * options (into kafka) and the common ones. Returns CMDLINE_CONTINUE with the positional
 * arguments in out (cmdline_args_release), or the exit status after -h, --version or a
 * usage error (printed). */
int cli_parse(const cmdline_cmd *cmd, const cmdline_opt *opts, void *args, vela_opts *kafka,
              int argc, char **argv, cmdline_args *out);

#endif
