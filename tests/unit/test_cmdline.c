/* Unit tests of base/cmdline: one table of command lines with the outcome each must have
 * (values stored, positional arguments, or the exact usage error), the generated usage,
 * and the legacy stripping of the Kafka options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "kafka/opts.h"

struct t_args {
    const char *file, *output;
    int wait, count;
    int64_t timeout_ms;
    cmdline_list tags;
};

static const char *const t_formats[] = {"yaml", "json", NULL};

static const cmdline_opt t_opts[] = {
    {.name = "file",
     .letter = 'f',
     .kind = CMDLINE_STRING,
     .flags = CMDLINE_REQUIRED,
     .offset = offsetof(struct t_args, file),
     .arg = "FILE",
     .help = "the input"},
    {.name = "wait",
     .letter = 'w',
     .kind = CMDLINE_FLAG,
     .offset = offsetof(struct t_args, wait),
     .help = "wait"},
    {.name = "timeout",
     .kind = CMDLINE_DURATION,
     .min = 1,
     .offset = offsetof(struct t_args, timeout_ms),
     .arg = "DURATION",
     .help = "how long"},
    {.name = "count",
     .kind = CMDLINE_INT,
     .min = 1,
     .max = 10,
     .offset = offsetof(struct t_args, count),
     .arg = "N",
     .help = "how many"},
    {.name = "output",
     .letter = 'o',
     .kind = CMDLINE_ENUM,
     .choices = t_formats,
     .offset = offsetof(struct t_args, output),
     .help = "the format"},
    {.name = "tag",
     .kind = CMDLINE_LIST,
     .offset = offsetof(struct t_args, tags),
     .arg = "TAG",
     .help = "a tag, repeatable"},
    {0},
};

static const cmdline_cmd t_cmd = {
    .name = "vela t",
    .args = "[A [B]]",
    .min_args = 0,
    .max_args = 2,
    .about = "A test command.\n",
};

static const cmdline_cmd t_one = {
    .name = "vela one",
    .args = "APP",
    .min_args = 1,
    .max_args = 1,
};

/* Splits a command line on spaces into argv (argv[0] = "prog"); the strings are in buf. */
static int t_split(char *buf, char **argv, int max)
{
    int argc = 0;
    argv[argc++] = "prog";
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < max;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    return argc;
}

/* What a parse left: "file=x wait=1 ... args=a,b", the fields that differ from zero; -1 when
 * an append fails. */
static int t_describe(const struct t_args *a, const vela_opts *k, const cmdline_args *pos,
                      strbuf *sb)
{
    int bad = 0;
    if (a->file)
        bad |= strbuf_addf(sb, "file=%s ", a->file);
    if (a->wait)
        bad |= strbuf_adds(sb, "wait=1 ");
    if (a->timeout_ms)
        bad |= strbuf_addf(sb, "timeout=%lld ", (long long)a->timeout_ms);
    if (a->count)
        bad |= strbuf_addf(sb, "count=%d ", a->count);
    if (a->output)
        bad |= strbuf_addf(sb, "output=%s ", a->output);
    for (size_t i = 0; i < a->tags.n; i++)
        bad |= strbuf_addf(sb, "%s%s%s", i ? "," : "tags=", a->tags.items[i],
                           i + 1 == a->tags.n ? " " : "");
    if (strcmp(k->bootstrap_servers, "127.0.0.1:9092") != 0)
        bad |= strbuf_addf(sb, "bs=%s ", k->bootstrap_servers);
    for (size_t i = 0; i < k->nx; i++)
        bad |= strbuf_addf(sb, "%s%s=%s%s", i ? "," : "x=", k->x_keys[i], k->x_values[i],
                           i + 1 == k->nx ? " " : "");
    if (pos->log_level)
        bad |= strbuf_addf(sb, "log=%s ", pos->log_level);
    for (int i = 0; i < pos->argc; i++)
        bad |= strbuf_addf(sb, "%s%s%s", i ? "," : "args=", pos->argv[i],
                           i + 1 == pos->argc ? " " : "");
    if (sb->len)
        sb->data[--sb->len] = '\0'; /* the trailing space */
    return bad ? -1 : 0;
}

struct t_case {
    const cmdline_cmd *cmd;
    const char *line;
    int rc;             /* CMDLINE_OK, _ERROR, _HELP, _VERSION */
    const char *expect; /* t_describe for OK, the message for ERROR */
};

static const struct t_case t_cases[] = {
    /* values of every kind, both spellings */
    {&t_cmd, "-f a.yaml", CMDLINE_OK, "file=a.yaml"},
    {&t_cmd, "--file=a.yaml --wait", CMDLINE_OK, "file=a.yaml wait=1"},
    {&t_cmd, "--file a.yaml -w", CMDLINE_OK, "file=a.yaml wait=1"},
    {&t_cmd, "-fa.yaml", CMDLINE_OK, "file=a.yaml"},
    {&t_cmd, "-wf a.yaml", CMDLINE_OK, "file=a.yaml wait=1"},
    {&t_cmd, "-f x --timeout 1m30s", CMDLINE_OK, "file=x timeout=90000"},
    {&t_cmd, "-f x --timeout=250ms", CMDLINE_OK, "file=x timeout=250"},
    {&t_cmd, "-f x --count 10", CMDLINE_OK, "file=x count=10"},
    {&t_cmd, "-f x -o json", CMDLINE_OK, "file=x output=json"},
    {&t_cmd, "-f x -ojson", CMDLINE_OK, "file=x output=json"},
    {&t_cmd, "-f x --tag a --tag=b", CMDLINE_OK, "file=x tags=a,b"},
    {&t_cmd, "-f x -f y", CMDLINE_OK, "file=y"},
    /* positional arguments mixed with options, "--", "-" */
    {&t_cmd, "p -f x q", CMDLINE_OK, "file=x args=p,q"},
    {&t_cmd, "-f x -- -n", CMDLINE_OK, "file=x args=-n"},
    {&t_cmd, "-f x -", CMDLINE_OK, "file=x args=-"},
    {&t_cmd, "-f -h", CMDLINE_OK, "file=-h"},
    {&t_one, "app -f x", CMDLINE_OK, "file=x args=app"},
    /* the global tables */
    {&t_cmd, "-f x --bootstrap-servers k:1 -X a=b -Xc=d", CMDLINE_OK, "file=x bs=k:1 x=a=b,c=d"},
    {&t_cmd, "--log-level debug -f x", CMDLINE_OK, "file=x log=debug"},
    /* help and version win over everything else */
    {&t_cmd, "-h", CMDLINE_HELP, NULL},
    {&t_cmd, "--bogus --help", CMDLINE_HELP, NULL},
    {&t_cmd, "-f x --version", CMDLINE_VERSION, NULL},
    {&t_one, "--version", CMDLINE_VERSION, NULL},
    {&t_cmd, "-f x -- -h", CMDLINE_OK, "file=x args=-h"},
    /* usage errors, word for word */
    {&t_cmd, "-f x -n prod", CMDLINE_ERROR,
     "unknown option \"-n\" for \"vela t\"; see 'vela t --help'"},
    {&t_cmd, "-f x --namespace=prod", CMDLINE_ERROR,
     "unknown option \"--namespace\" for \"vela t\"; see 'vela t --help'"},
    {&t_cmd, "-wz -f x", CMDLINE_ERROR,
     "unknown option \"-z\" for \"vela t\"; see 'vela t --help'"},
    {&t_cmd, "-f", CMDLINE_ERROR, "-f needs a value; see 'vela t --help'"},
    {&t_cmd, "-f x --count", CMDLINE_ERROR, "--count needs a value; see 'vela t --help'"},
    {&t_cmd, "-f x --wait=yes", CMDLINE_ERROR, "--wait takes no value; see 'vela t --help'"},
    {&t_cmd, "", CMDLINE_ERROR, "-f FILE is required for \"vela t\"; see 'vela t --help'"},
    {&t_cmd, "-f x --timeout abc", CMDLINE_ERROR,
     "--timeout: \"abc\" is not a duration (e.g. 30s, 10m)"},
    {&t_cmd, "-f x --timeout 0", CMDLINE_ERROR, "--timeout: \"0\" is too short (at least 1ms)"},
    {&t_cmd, "-f x --count 11", CMDLINE_ERROR,
     "--count: \"11\" is not a whole number from 1 to 10"},
    {&t_cmd, "-f x --count 2x", CMDLINE_ERROR,
     "--count: \"2x\" is not a whole number from 1 to 10"},
    {&t_cmd, "-f x -o xml", CMDLINE_ERROR, "-o: \"xml\" is not one of yaml, json"},
    {&t_cmd, "-f x --output=xml", CMDLINE_ERROR, "--output: \"xml\" is not one of yaml, json"},
    {&t_cmd, "-f x --log-level loud", CMDLINE_ERROR,
     "--log-level: \"loud\" is not one of debug, info, warn, error"},
    {&t_cmd, "-f x -X novalue", CMDLINE_ERROR, "-X: expects key=value, got \"novalue\""},
    {&t_cmd, "-f x p q r", CMDLINE_ERROR,
     "unexpected argument \"r\" for \"vela t\"; see 'vela t --help'"},
    {&t_one, "", CMDLINE_ERROR, "\"vela one\" expects APP; see 'vela one --help'"},
    {&t_one, "a b", CMDLINE_ERROR,
     "unexpected argument \"b\" for \"vela one\"; see 'vela one --help'"},
};

static void command_lines_have_their_outcome(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < ARRAY_LEN(t_cases); i++) {
        const struct t_case *c = &t_cases[i];
        char buf[256], err[512] = "", *argv[32];
        struct t_args a;
        vela_opts k;
        cmdline_args pos;
        strbuf got;
        memset(&a, 0, sizeof(a));
        opts_init(&k);
        k.bootstrap_servers = "127.0.0.1:9092"; /* whatever the environment says */
        snprintf(buf, sizeof(buf), "%s", c->line);
        int argc = t_split(buf, argv, 32);
        cmdline_group groups[] = {{"Options", t_opts, &a}, opts_group(&k)};
        int rc = cmdline_scan(c->cmd, groups, 2, argc, argv, &pos, err, sizeof(err));
        strbuf_init(&got, 0);
        if (rc == CMDLINE_OK)
            assert_int_equal(t_describe(&a, &k, &pos, &got), 0);
        else if (rc == CMDLINE_ERROR)
            assert_int_equal(strbuf_adds(&got, err), 0);
        const char *g = got.data ? got.data : "";
        if (rc != c->rc || (c->expect && strcmp(g, c->expect) != 0)) {
            fprintf(stderr, "case %zu \"%s\": rc %d, want %d\n  got:  %s\n  want: %s\n", i, c->line,
                    rc, c->rc, g, c->expect ? c->expect : "");
            failures++;
        }
        strbuf_release(&got);
        if (rc == CMDLINE_OK)
            cmdline_args_release(&pos);
        cmdline_list_release(&a.tags);
        opts_release(&k);
    }
    assert_int_equal(failures, 0);
}

/* Every row of every table shows in the usage, so --help cannot drift from the parser. */
static void usage_lists_every_accepted_option(void **state)
{
    (void)state;
    struct t_args a;
    vela_opts k;
    char *text = NULL;
    size_t len = 0;
    int failures = 0;
    memset(&a, 0, sizeof(a));
    opts_init(&k);
    cmdline_group groups[] = {{"Options", t_opts, &a}, opts_group(&k)};
    FILE *f = open_memstream(&text, &len);
    cmdline_usage(f, &t_cmd, groups, 2);
    fclose(f);
    static const char *const want[] = {
        "Usage: vela t [A [B]] -f FILE [options]\n",
        "A test command.\n",
        "Options:\n",
        "  -f, --file FILE",
        "  -w, --wait",
        "      --timeout DURATION",
        "      --count N",
        "  -o, --output yaml|json",
        "      --tag TAG",
        "Kafka options:\n",
        "      --bootstrap-servers HOST:PORT[,...]",
        "  -X key=value",
        "      --topic-prefix PREFIX",
        "Common options:\n",
        "      --log-level debug|info|warn|error",
        "      --version",
        "  -h, --help",
    };
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        if (!strstr(text, want[i])) {
            fprintf(stderr, "usage lacks \"%s\":\n%s", want[i], text);
            failures++;
        }
    }
    for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
        size_t n = strcspn(p, "\n");
        if (n >= 100) {
            fprintf(stderr, "usage line over 99 columns: %.*s\n", (int)n, p);
            failures++;
        }
        if (!p[n])
            break;
    }
    free(text);
    opts_release(&k);
    assert_int_equal(failures, 0);
}

static void options_can_stop_at_the_first_argument(void **state)
{
    (void)state;
    static const cmdline_opt none[] = {{0}};
    static const cmdline_cmd top = {
        .name = "vela", .args = "COMMAND", .max_args = -1, .stop_at_arg = 1};
    char buf[] = "--topic-prefix x. up -n prod --help";
    char *argv[32], err[256];
    vela_opts k;
    cmdline_args pos;
    opts_init(&k);
    int argc = t_split(buf, argv, 32);
    cmdline_group groups[] = {{"Options", none, NULL}, opts_group(&k)};
    assert_int_equal(cmdline_scan(&top, groups, 2, argc, argv, &pos, err, sizeof(err)), CMDLINE_OK);
    assert_int_equal(pos.argc, 4);
    assert_string_equal(pos.argv[0], "up");
    assert_string_equal(pos.argv[3], "--help");
    assert_string_equal(k.topic_prefix, "x.");
    cmdline_args_release(&pos);
    opts_release(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(command_lines_have_their_outcome),
        cmocka_unit_test(usage_lists_every_accepted_option),
        cmocka_unit_test(options_can_stop_at_the_first_argument),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
