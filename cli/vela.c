/* vela: the command-line interface. One table maps each command (one or more words) to its
 * handler (git's git.c); the handlers, with their option tables, live in one file per
 * command family. Commands that share leading words ("cluster") form a family whose help
 * lists its members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/jpool.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "cli.h"
#include "cmd_app.h"
#include "cmd_cluster.h"
#include "cmd_def.h"
#include "cmd_dry_run.h"

static const struct cli_command commands[] = {
    {"cluster join", cmd_cluster_join, "join a cluster with a kubeconfig's credentials"},
    {"cluster list", cmd_cluster_list, "list the joined clusters"},
    {"cluster ls", cmd_cluster_list, NULL},
    {"cluster labels add", cmd_cluster_labels_add, "add or change labels of a cluster"},
    {"cluster labels del", cmd_cluster_labels_del, "remove labels of a cluster"},
    {"cluster detach", cmd_cluster_detach, "remove a cluster from the registry"},
    {"cluster rename", cmd_cluster_rename, "rename a cluster"},
    {"up", cmd_up, "submit an Application (a new revision when its spec changed)"},
    {"status", cmd_status, "show an Application's phase, workflow and services"},
    {"ls", cmd_ls, "list Applications"},
    {"delete", cmd_delete, "delete an Application from every cluster"},
    {"workflow resume", cmd_workflow_resume, "resume a suspended workflow"},
    {"workflow restart", cmd_workflow_restart, "run the current revision's workflow again"},
    {"dry-run", cmd_dry_run, "render an Application offline, as the scheduler would"},
    {"def list", cmd_def_list, "list the component types and traits"},
    {"def ls", cmd_def_list, NULL},
    {"show", cmd_show, "show the properties of a component type or trait"},
};

int cli_parse(const cmdline_cmd *cmd, const cmdline_opt *opts, void *args, vela_opts *kafka,
              int argc, char **argv, cmdline_args *out)
{
    cmdline_group groups[] = {{"Options", opts, args}, opts_group(kafka)};
    return cmdline_parse(cmd, groups, ARRAY_LEN(groups), argc, argv, out);
}

/* How many of words[0..n) the command's name matches from the start (all its words, or
 * fewer: then the matched words name a family it belongs to). */
static size_t vela_match(const char *name, char **words, int n, size_t *name_words)
{
    size_t matched = 0, total = 0;
    int mismatch = 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, " ");
        if (!mismatch && (int)total < n && strlen(words[total]) == len &&
            strncmp(words[total], p, len) == 0)
            matched++;
        else
            mismatch = 1;
        total++;
        p += len;
        if (*p == ' ')
            p++;
    }
    *name_words = total;
    return matched;
}

/* Appends the command list of 'vela --help', or of a family's help (prefix "cluster"), to
 * an uncapped sb; -1 only if sb outgrows its (huge) cap. */
static int vela_list(strbuf *sb, const char *prefix)
{
    size_t plen = prefix ? strlen(prefix) : 0;
    int bad = strbuf_adds(sb, "Commands:\n");
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (!commands[i].summary || (prefix && (strncmp(commands[i].name, prefix, plen) != 0 ||
                                                commands[i].name[plen] != ' ')))
            continue;
        bad |= strbuf_addf(sb, "  %-20s %s\n", commands[i].name, commands[i].summary);
    }
    bad |= strbuf_addf(sb, "\nRun 'vela %s%sCOMMAND --help' for a command's options.\n",
                       prefix ? prefix : "", prefix ? " " : "");
    return bad ? -1 : 0;
}

/* 'vela cluster' (or 'vela cluster -h'): the family's commands; 'vela cluster frob': an
 * unknown command. words[0..depth) name the family. */
static int vela_family(char **words, int nwords, int depth)
{
    strbuf prefix, list;
    int rc, bad = 0;
    strbuf_init(&prefix, 0);
    strbuf_init(&list, 0);
    for (int i = 0; i < depth; i++)
        bad |= strbuf_addf(&prefix, "%s%s", i ? " " : "", words[i]);
    bad |= vela_list(&list, prefix.data);
    if (bad) {
        fprintf(stderr, "error: the command list is too long to print\n");
        rc = EXIT_FAIL;
    } else if (nwords > depth &&
               (strcmp(words[depth], "-h") == 0 || strcmp(words[depth], "--help") == 0)) {
        printf("Usage: vela %s COMMAND [options]\n\n%s", prefix.data, list.data);
        rc = EXIT_OK;
    } else if (nwords > depth) {
        rc = cmdline_usage_error("unknown command \"%s\" for \"vela %s\"; see 'vela %s --help'",
                                 words[depth], prefix.data, prefix.data);
        fprintf(stderr, "\n%s", list.data);
    } else {
        rc = cmdline_usage_error("\"vela %s\" expects a command; see 'vela %s --help'", prefix.data,
                                 prefix.data);
        fprintf(stderr, "\n%s", list.data);
    }
    strbuf_release(&prefix);
    strbuf_release(&list);
    return rc;
}

int main(int argc, char **argv)
{
    static const cmdline_opt no_opts[] = {{0}};
    vela_opts opts;
    cmdline_args pos = {0};
    strbuf footer;
    int rc;

    jpool_init(); /* before any JSON value exists */
    log_set_program("vela");
    log_threshold = LOG_WARN;
    log_set_level(getenv("VELA_LOG_LEVEL"));
    opts_init(&opts);
    strbuf_init(&footer, 0);
    if (vela_list(&footer, NULL) < 0) {
        fprintf(stderr, "error: the command list is too long to print\n");
        strbuf_release(&footer);
        opts_release(&opts);
        return EXIT_FAIL;
    }
    const cmdline_cmd vela_cmd = {
        .name = "vela",
        .args = "COMMAND [options]",
        .max_args = -1,
        .stop_at_arg = 1,
        .about = "Delivers Applications to many Kubernetes clusters over Kafka.\n",
        .footer = footer.data,
    };
    cmdline_group groups[] = {{"Options", no_opts, NULL}, opts_group(&opts)};
    if (argc < 2) {
        cmdline_usage(stderr, &vela_cmd, groups, ARRAY_LEN(groups));
        rc = EXIT_USAGE;
        goto cleanup;
    }
    rc = cmdline_parse(&vela_cmd, groups, ARRAY_LEN(groups), argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    if (pos.argc == 0 || strcmp(pos.argv[0], "help") == 0) {
        cmdline_usage(pos.argc ? stdout : stderr, &vela_cmd, groups, ARRAY_LEN(groups));
        rc = pos.argc ? EXIT_OK : EXIT_USAGE;
        goto cleanup;
    }
    /* the command whose words all match, the longest; else the deepest family matched */
    const struct cli_command *cmd = NULL;
    size_t best = 0, family = 0;
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        size_t total, m = vela_match(commands[i].name, pos.argv, pos.argc, &total);
        if (m == total && m > best) {
            cmd = &commands[i];
            best = m;
        } else if (m < total && m > family) {
            family = m;
        }
    }
    if (!cmd && family) {
        rc = vela_family(pos.argv, pos.argc, (int)family);
    } else if (!cmd) {
        rc = cmdline_usage_error("unknown command \"%s\" for \"vela\"; see 'vela --help'",
                                 pos.argv[0]);
    } else {
        /* the handler's argv[0] is the command's last word */
        rc = cmd->fn(pos.argc - (int)best + 1, pos.argv + best - 1, &opts);
    }
cleanup:
    cmdline_args_release(&pos);
    strbuf_release(&footer);
    opts_release(&opts);
    return rc;
}
