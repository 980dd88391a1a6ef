/* The table-driven option parser (see cmdline.h): matching options to table rows, checking
 * and storing their values, counting positional arguments, and generating the usage. */
#include "base/cmdline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "base/version.h"

/* Rows per table that are tracked for CMDLINE_REQUIRED. */
#define CMDLINE_MAX_ROWS 64
/* The usage's left column (option and placeholder) is at most this wide. */
#define CMDLINE_COLUMN 28

static const char *const cmdline_levels[] = {"debug", "info", "warn", "error", NULL};

/* The options every program takes besides its own and Kafka's; they fill cmdline_args. */
static const cmdline_opt cmdline_common[] = {
    {.name = "log-level",
     .kind = CMDLINE_ENUM,
     .offset = offsetof(cmdline_args, log_level),
     .choices = cmdline_levels,
     .help = "log threshold (env VELA_LOG_LEVEL)"},
    {.name = "version",
     .kind = CMDLINE_FLAG,
     .offset = offsetof(cmdline_args, version),
     .help = "print the version and exit"},
    {.name = "help",
     .letter = 'h',
     .kind = CMDLINE_FLAG,
     .offset = offsetof(cmdline_args, help),
     .help = "show this help and exit"},
    {0},
};

void cmdline_list_release(cmdline_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void cmdline_args_release(cmdline_args *a)
{
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}

static int cmdline_row_end(const cmdline_opt *o)
{
    return !o->name && !o->letter;
}

static int cmdline_takes_value(const cmdline_opt *o)
{
    return o->kind != CMDLINE_FLAG;
}

/* The groups to search: the caller's, then the common options (base = out). */
struct cmdline_set {
    cmdline_group g[CMDLINE_MAX_GROUPS + 1];
    size_t n;
    unsigned char seen[CMDLINE_MAX_GROUPS + 1][CMDLINE_MAX_ROWS];
};

struct cmdline_hit {
    const cmdline_opt *opt;
    void *base;
    size_t group, row;
};

/* Finds the row for "--name" (len bytes of name) or, when name is NULL, for "-letter". */
static int cmdline_find(const struct cmdline_set *s, const char *name, size_t len, char letter,
                        struct cmdline_hit *hit)
{
    for (size_t g = 0; g < s->n; g++) {
        for (size_t r = 0; !cmdline_row_end(&s->g[g].opts[r]); r++) {
            const cmdline_opt *o = &s->g[g].opts[r];
            int match = name ? o->name && strlen(o->name) == len && strncmp(o->name, name, len) == 0
                             : o->letter == letter;
            if (match) {
                *hit = (struct cmdline_hit){o, s->g[g].base, g, r};
                return 1;
            }
        }
    }
    return 0;
}

/* "5s", "250ms", "2m": the shortest way to write ms. */
static void cmdline_format_ms(int64_t ms, char *buf, size_t n)
{
    if (ms % 60000 == 0 && ms)
        snprintf(buf, n, "%lldm", (long long)(ms / 60000));
    else if (ms % 1000 == 0 && ms)
        snprintf(buf, n, "%llds", (long long)(ms / 1000));
    else
        snprintf(buf, n, "%lldms", (long long)ms);
}

/* Checks value for the row and stores it; shown is the option as typed ("-o", "--output"). */
static int cmdline_store(const cmdline_opt *o, void *base, const char *shown, const char *value,
                         char *err, size_t errlen)
{
    void *dst = (char *)base + o->offset;
    switch (o->kind) {
    case CMDLINE_FLAG: *(int *)dst = 1; return 0;
    case CMDLINE_STRING: *(const char **)dst = value; return 0;
    case CMDLINE_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (!*value || *end || errno || v < o->min || v > o->max)
            return err_set(err, errlen, "%s: \"%s\" is not a whole number from %lld to %lld", shown,
                           value, (long long)o->min, (long long)o->max);
        *(int *)dst = (int)v;
        return 0;
    }
    case CMDLINE_DURATION: {
        int64_t ms = 0;
        char min[32];
        if (strcmp(value, "0") != 0 && parse_duration_ms(value, &ms) < 0)
            return err_set(err, errlen, "%s: \"%s\" is not a duration (e.g. 30s, 10m)", shown,
                           value);
        if (ms < o->min) {
            cmdline_format_ms(o->min, min, sizeof(min));
            return err_set(err, errlen, "%s: \"%s\" is too short (at least %s)", shown, value, min);
        }
        *(int64_t *)dst = ms;
        return 0;
    }
    case CMDLINE_ENUM: {
        strbuf known;
        for (size_t i = 0; o->choices[i]; i++) {
            if (strcmp(o->choices[i], value) == 0) {
                *(const char **)dst = o->choices[i];
                return 0;
            }
        }
        strbuf_init(&known, 0);
        for (size_t i = 0; o->choices[i]; i++)
            if (strbuf_addf(&known, "%s%s", i ? ", " : "", o->choices[i]) < 0)
                break; /* uncapped: only a cut list, never reached */
        err_set(err, errlen, "%s: \"%s\" is not one of %s", shown, value, known.data);
        strbuf_release(&known);
        return -1;
    }
    case CMDLINE_LIST: {
        cmdline_list *l = dst;
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] = value;
        return 0;
    }
    case CMDLINE_CALL: {
        char why[512];
        if (o->fn(base, value, why, sizeof(why)) < 0)
            return err_set(err, errlen, "%s: %s", shown, why);
        return 0;
    }
    }
    return err_set(err, errlen, "%s: unknown option kind", shown);
}

/* One option token at argv[*i]: finds its row, takes its value (from the token or the
 * next argument) and stores it. dry: only find and skip (for the -h/--version scan);
 * returns 1 for a token that is not in the tables then. */
static int cmdline_option(struct cmdline_set *s, const cmdline_cmd *cmd, int argc, char **argv,
                          int *i, int dry, char *err, size_t errlen)
{
    const char *a = argv[*i];
    char shown[128];
    struct cmdline_hit hit = {0};
    const char *value = NULL;

    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        snprintf(shown, sizeof(shown), "--%.*s", (int)len, name);
        if (!cmdline_find(s, name, len, 0, &hit)) {
            if (dry)
                return 1;
            return err_set(err, errlen, "unknown option \"%s\" for \"%s\"" CMDLINE_HINT_FMT, shown,
                           cmd->name, cmd->name);
        }
        if (!cmdline_takes_value(hit.opt) && eq) {
            if (dry)
                return 0;
            return err_set(err, errlen, "%s takes no value" CMDLINE_HINT_FMT, shown, cmd->name);
        }
        if (cmdline_takes_value(hit.opt))
            value = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    } else {
        /* -abc: flags a, b, c; -fFILE or -f FILE: a value */
        for (const char *p = a + 1; *p; p++) {
            snprintf(shown, sizeof(shown), "-%c", *p);
            if (!cmdline_find(s, NULL, 0, *p, &hit)) {
                if (dry)
                    return 1;
                return err_set(err, errlen, "unknown option \"%s\" for \"%s\"" CMDLINE_HINT_FMT,
                               shown, cmd->name, cmd->name);
            }
            if (!cmdline_takes_value(hit.opt)) {
                if (!dry)
                    cmdline_store(hit.opt, hit.base, shown, NULL, err, errlen);
                if (hit.row < CMDLINE_MAX_ROWS)
                    s->seen[hit.group][hit.row] = 1;
                continue;
            }
            value = p[1] ? p + 1 : *i + 1 < argc ? argv[++*i] : NULL;
            break;
        }
        if (!cmdline_takes_value(hit.opt))
            return 0;
    }
    if (hit.row < CMDLINE_MAX_ROWS)
        s->seen[hit.group][hit.row] = 1;
    if (dry)
        return 0;
    if (cmdline_takes_value(hit.opt) && !value)
        return err_set(err, errlen, "%s needs a value" CMDLINE_HINT_FMT, shown, cmd->name);
    return cmdline_store(hit.opt, hit.base, shown, value, err, errlen);
}

static void cmdline_set_init(struct cmdline_set *s, const cmdline_group *groups, size_t ngroups,
                             cmdline_args *out)
{
    memset(s, 0, sizeof(*s));
    for (size_t g = 0; g < ngroups && g < CMDLINE_MAX_GROUPS; g++)
        s->g[s->n++] = groups[g];
    s->g[s->n++] = (cmdline_group){"Common options", cmdline_common, out};
}

static int cmdline_is_option(const char *a)
{
    return a[0] == '-' && a[1] != '\0' && strcmp(a, "--") != 0;
}

/* The first pass: is -h/--help or --version given (before "--", and before the first
 * positional argument when options stop there)? Values of known options are skipped, so
 * "-f -h" reads a file named -h. */
static int cmdline_prescan(struct cmdline_set *s, const cmdline_cmd *cmd, int argc, char **argv)
{
    cmdline_args *common = s->g[s->n - 1].base;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (!cmdline_is_option(argv[i])) {
            if (cmd->stop_at_arg)
                break;
            continue;
        }
        cmdline_option(s, cmd, argc, argv, &i, 1, NULL, 0);
    }
    /* dry runs store nothing: the common rows' "seen" marks say what was given */
    size_t c = s->n - 1;
    for (size_t r = 0; !cmdline_row_end(&cmdline_common[r]); r++) {
        if (!s->seen[c][r])
            continue;
        if (cmdline_common[r].offset == offsetof(cmdline_args, help))
            common->help = 1;
        if (cmdline_common[r].offset == offsetof(cmdline_args, version))
            common->version = 1;
    }
    memset(s->seen, 0, sizeof(s->seen));
    return common->help ? CMDLINE_HELP : common->version ? CMDLINE_VERSION : CMDLINE_OK;
}

/* "-f FILE" or "--name NAME", as the usage line writes a required option. */
static void cmdline_synopsis_opt(const cmdline_opt *o, char *buf, size_t n)
{
    const char *arg = o->arg ? o->arg : "VALUE";
    if (o->letter)
        snprintf(buf, n, "-%c%s%s", o->letter, cmdline_takes_value(o) ? " " : "",
                 cmdline_takes_value(o) ? arg : "");
    else
        snprintf(buf, n, "--%s%s%s", o->name, cmdline_takes_value(o) ? " " : "",
                 cmdline_takes_value(o) ? arg : "");
}

int cmdline_scan(const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups, int argc,
                 char **argv, cmdline_args *out, char *err, size_t errlen)
{
    struct cmdline_set s;
    int opts_done = 0;

    memset(out, 0, sizeof(*out));
    if (ngroups > CMDLINE_MAX_GROUPS)
        return err_set(err, errlen, "too many option groups for \"%s\"", cmd->name);
    cmdline_set_init(&s, groups, ngroups, out);
    int rc = cmdline_prescan(&s, cmd, argc, argv);
    if (rc != CMDLINE_OK)
        return rc;

    out->argv = xcalloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
    for (int i = 1; i < argc; i++) {
        if (!opts_done && strcmp(argv[i], "--") == 0) {
            opts_done = 1;
            continue;
        }
        if (opts_done || !cmdline_is_option(argv[i])) {
            out->argv[out->argc++] = argv[i];
            if (cmd->stop_at_arg)
                opts_done = 1;
            continue;
        }
        if (cmdline_option(&s, cmd, argc, argv, &i, 0, err, errlen) < 0)
            goto fail;
    }
    if (cmd->max_args >= 0 && out->argc > cmd->max_args) {
        err_set(err, errlen, "unexpected argument \"%s\" for \"%s\"" CMDLINE_HINT_FMT,
                out->argv[cmd->max_args], cmd->name, cmd->name);
        goto fail;
    }
    if (out->argc < cmd->min_args) {
        err_set(err, errlen, "\"%s\" expects %s" CMDLINE_HINT_FMT, cmd->name,
                cmd->args ? cmd->args : "more arguments", cmd->name);
        goto fail;
    }
    for (size_t g = 0; g < s.n; g++) {
        for (size_t r = 0; r < CMDLINE_MAX_ROWS && !cmdline_row_end(&s.g[g].opts[r]); r++) {
            const cmdline_opt *o = &s.g[g].opts[r];
            char syn[128];
            if (!(o->flags & CMDLINE_REQUIRED) || s.seen[g][r])
                continue;
            cmdline_synopsis_opt(o, syn, sizeof(syn));
            err_set(err, errlen, "%s is required for \"%s\"" CMDLINE_HINT_FMT, syn, cmd->name,
                    cmd->name);
            goto fail;
        }
    }
    return CMDLINE_OK;
fail:
    cmdline_args_release(out);
    return CMDLINE_ERROR;
}

void cmdline_print_version(FILE *out, const char *program)
{
    fprintf(out, "%.*s %s (%s)\n", (int)strcspn(program, " "), program, version_number,
            version_revision);
}

int cmdline_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int cmdline_parse(const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups, int argc,
                  char **argv, cmdline_args *out)
{
    char err[1024];
    switch (cmdline_scan(cmd, groups, ngroups, argc, argv, out, err, sizeof(err))) {
    case CMDLINE_HELP:
        cmdline_usage(stdout, cmd, groups, ngroups);
        return fflush(stdout) == 0 ? 0 : 1;
    case CMDLINE_VERSION:
        cmdline_print_version(stdout, cmd->name);
        return fflush(stdout) == 0 ? 0 : 1;
    case CMDLINE_ERROR: return cmdline_usage_error("%s", err);
    default: break;
    }
    if (out->log_level)
        log_set_level(out->log_level);
    return CMDLINE_CONTINUE;
}

/* The usage's left column for a row: "  -f, --file FILE", "      --wait", "  -X key=value". */
static void cmdline_left(const cmdline_opt *o, strbuf *sb)
{
    int rc;
    strbuf_reset(sb);
    if (o->letter && o->name)
        rc = strbuf_addf(sb, "  -%c, --%s", o->letter, o->name);
    else if (o->letter)
        rc = strbuf_addf(sb, "  -%c", o->letter);
    else
        rc = strbuf_addf(sb, "      --%s", o->name);
    if (rc < 0 || !cmdline_takes_value(o) || strbuf_adds(sb, " ") < 0)
        return; /* the buffer is uncapped: a failure would only shorten the help line */
    if (o->arg) {
        rc = strbuf_adds(sb, o->arg);
    } else if (o->kind == CMDLINE_ENUM) {
        for (size_t i = 0; o->choices[i] && rc == 0; i++)
            rc = strbuf_addf(sb, "%s%s", i ? "|" : "", o->choices[i]);
    } else {
        rc = strbuf_adds(sb, "VALUE");
    }
    (void)rc;
}

void cmdline_usage(FILE *out, const cmdline_cmd *cmd, const cmdline_group *groups, size_t ngroups)
{
    struct cmdline_set s;
    cmdline_args dummy;
    strbuf left;
    size_t width = 0;

    memset(&dummy, 0, sizeof(dummy));
    cmdline_set_init(&s, groups, ngroups, &dummy);
    strbuf_init(&left, 0);

    fprintf(out, "Usage: %s", cmd->name);
    if (cmd->stop_at_arg)
        fputs(" [options]", out);
    if (cmd->args)
        fprintf(out, " %s", cmd->args);
    for (size_t g = 0; g < s.n; g++) {
        for (const cmdline_opt *o = s.g[g].opts; !cmdline_row_end(o); o++) {
            char syn[128];
            if (!(o->flags & CMDLINE_REQUIRED))
                continue;
            cmdline_synopsis_opt(o, syn, sizeof(syn));
            fprintf(out, " %s", syn);
        }
    }
    if (!cmd->stop_at_arg)
        fputs(" [options]", out);
    fputs("\n\n", out);
    if (cmd->about)
        fprintf(out, "%s\n", cmd->about);

    for (size_t g = 0; g < s.n; g++) {
        for (const cmdline_opt *o = s.g[g].opts; !cmdline_row_end(o); o++) {
            cmdline_left(o, &left);
            if (left.len + 2 <= CMDLINE_COLUMN && left.len + 2 > width)
                width = left.len + 2;
        }
    }
    for (size_t g = 0; g < s.n; g++) {
        if (cmdline_row_end(s.g[g].opts))
            continue;
        fprintf(out, "%s:\n", s.g[g].title);
        for (const cmdline_opt *o = s.g[g].opts; !cmdline_row_end(o); o++) {
            const char *help = o->help ? o->help : "";
            cmdline_left(o, &left);
            fputs(left.data, out);
            if (left.len + 2 > width)
                fprintf(out, "\n%*s", (int)width, "");
            else
                fprintf(out, "%*s", (int)(width - left.len), "");
            /* continuation lines of the help line up under its first */
            for (const char *nl; (nl = strchr(help, '\n')); help = nl + 1)
                fprintf(out, "%.*s\n%*s", (int)(nl - help), help, (int)width, "");
            fprintf(out, "%s\n", help);
        }
        fputs("\n", out);
    }
    if (cmd->footer)
        fputs(cmd->footer, out);
    strbuf_release(&left);
}
