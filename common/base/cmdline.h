/* One option parser for every program and CLI command, driven by tables: each command
 * lists the options it takes, the global ones (Kafka, --log-level, --version, --help) are
 * tables merged with it, and the usage text is generated from the same tables, so what
 * --help shows is exactly what is accepted. Usage errors read the same everywhere. */
#ifndef VELA_CMDLINE_H
#define VELA_CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What an option's value is, and what is stored at its offset in the table's struct. */
enum cmdline_kind {
    CMDLINE_FLAG,     /* no value; int set to 1 */
    CMDLINE_STRING,   /* const char *, pointing into argv */
    CMDLINE_INT,      /* int, a whole number within [min, max] */
    CMDLINE_DURATION, /* int64_t milliseconds (parse_duration_ms; "0" is 0), at least min */
    CMDLINE_ENUM,     /* const char *, one of choices (the choice's own string) */
    CMDLINE_LIST,     /* repeatable; appended to a cmdline_list */
    CMDLINE_CALL,     /* repeatable; handed to fn, which checks and stores it */
};

enum cmdline_flags {
    CMDLINE_REQUIRED = 1 << 0, /* a usage error when not given */
};

/* Stores value into the table's struct (base); returns 0, or -1 with a message (which
 * cmdline prefixes with the option's name). */
typedef int (*cmdline_fn)(void *base, const char *value, char *err, size_t errlen);

typedef struct cmdline_opt {
    const char *name; /* long name without "--", or NULL for a short-only option */
    char letter;      /* short option letter, 0 for none; a row with neither name nor
                       * letter ends the table */
    enum cmdline_kind kind;
    size_t offset;              /* offsetof() of the destination in the table's struct */
    const char *arg;            /* the value's placeholder in usage ("FILE"); NULL: the choices
                                 * for CMDLINE_ENUM, "VALUE" otherwise */
    const char *help;           /* may hold '\n' for more lines */
    int64_t min, max;           /* CMDLINE_INT: range; CMDLINE_DURATION: min ms */
    const char *const *choices; /* CMDLINE_ENUM: NULL-terminated */
    cmdline_fn fn;              /* CMDLINE_CALL */
    unsigned flags;             /* enum cmdline_flags */
} cmdline_opt;

/* The values of a CMDLINE_LIST option, in order; the strings point into argv, the array
 * is owned by the list (cmdline_list_release). Zero-initialize before parsing. */
typedef struct cmdline_list {
    const char **items;
    size_t n;
} cmdline_list;

void cmdline_list_release(cmdline_list *l);

/* A table and the struct its offsets point into. */
typedef struct cmdline_group {
    const char *title; /* "Options", "Kafka options" */
    const cmdline_opt *opts;
    void *base;
} cmdline_group;

/* A command (or a whole program). */
typedef struct cmdline_cmd {
    const char *name;   /* "vela up", "vela-worker": in messages, usage and --version (the
                         * first word is the program) */
    const char *args;   /* positional arguments in the usage line ("APP"), NULL for none */
    int min_args;       /* positional count: fewer or more is a usage error */
    int max_args;       /* -1: no limit */
    const char *about;  /* the paragraphs after the usage line, '\n'-terminated */
    const char *footer; /* text after the options (exit status, environment), or NULL */
    int stop_at_arg;    /* options end at the first positional argument (for "vela
                         * [global options] COMMAND ...": the rest is the command's) */
} cmdline_cmd;

#define CMDLINE_MAX_GROUPS 4

/* The parse's result besides what went into the groups' structs. */
typedef struct cmdline_args {
    char **argv; /* positional arguments, in order (pointing into the caller's argv) */
    int argc;
    const char *log_level; /* --log-level, or NULL */
    int help, version;     /* -h/--help, --version were given */
} cmdline_args;

/* Outcomes of cmdline_scan. */
enum { CMDLINE_OK = 0, CMDLINE_ERROR = -1, CMDLINE_HELP = 1, CMDLINE_VERSION = 2 };

/* Parses argv[1..argc) for cmd against the groups (at most CMDLINE_MAX_GROUPS) and the
 * common options (--log-level, --version, -h/--help), storing values as it goes. "--"
 * ends the options; options and positional arguments may be mixed (unless stop_at_arg).
 * -h/--help anywhere before "--" wins over every other option and error. Returns
 * CMDLINE_OK with out->argv filled (a new array the caller frees with
 * cmdline_args_release), CMDLINE_HELP, CMDLINE_VERSION, or CMDLINE_ERROR with the
 * message (without "error: ") in err. Prints nothing. */
int cmdline_scan(const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups, int argc,
                 char **argv, cmdline_args *out, char *err, size_t errlen);

void cmdline_args_release(cmdline_args *a);

/* For main and command handlers: cmdline_scan, then prints the help (stdout) or the version
 * (stdout) and returns 0, or prints "error: ..." to stderr and returns 2, or applies
 * --log-level and returns CMDLINE_CONTINUE with out filled. */
#define CMDLINE_CONTINUE (-1)
int cmdline_parse(const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups, int argc,
                  char **argv, cmdline_args *out);

/* Writes the usage generated from cmd and its groups (the common options included). */
void cmdline_usage(FILE *out, const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups);

/* "<program> <version> (<revision>)", for --version. */
void cmdline_print_version(FILE *out, const char *program);

/* Prints "error: <message>" to stderr for a usage error found after parsing (a value the
 * table cannot check) and returns 2, the usage exit status. */
int cmdline_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The hint every structural usage error ends with: "; see 'vela up --help'". */
#define CMDLINE_HINT_FMT "; see '%s --help'"

#endif
