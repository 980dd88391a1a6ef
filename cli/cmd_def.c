/* vela def list and vela show: the built-in component types and traits, and the properties
 * of one of them, printed from the definition tables as KubeVela's commands print theirs
 * (docs/cli.md). Offline: no Kafka. */
#include "cmd_def.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "model/definitions.h"
#include "table.h"

/* ---- vela def list ---- */

struct def_list_args {
    const char *type;
};

static const char *const def_list_types[] = {"component", "trait", NULL};
static const cmdline_opt def_list_opts[] = {
    {.name = "type",
     .letter = 't',
     .kind = CMDLINE_ENUM,
     .choices = def_list_types,
     .offset = offsetof(struct def_list_args, type),
     .help = "list only component types or only traits"},
    {0},
};
static const cmdline_cmd def_list_cmd = {
    .name = "vela def list",
    .about = "Lists the built-in definitions: component types and traits, with what each is\n"
             "for. 'vela show NAME' gives a definition's properties.\n",
};

/* KubeVela's definitions live in vela-system; these are built in, and said to live there. */
#define DEF_NAMESPACE "vela-system"

int cmd_def_list(int argc, char **argv, vela_opts *opts)
{
    struct def_list_args args = {0};
    cmdline_args pos = {0};
    int rc = cli_parse(&def_list_cmd, def_list_opts, &args, opts, argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    bool components = !args.type || strcmp(args.type, "component") == 0;
    bool traits = !args.type || strcmp(args.type, "trait") == 0;
    size_t n = 1, row = 0;
    while (component_def_at(n - 1))
        n++;
    for (size_t i = 0; trait_def_at(i); i++)
        n++;
    const char **cells = xcalloc(n * 4, sizeof(*cells));
    cells[row * 4] = "NAME";
    cells[row * 4 + 1] = "TYPE";
    cells[row * 4 + 2] = "NAMESPACE";
    cells[row * 4 + 3] = "DESCRIPTION";
    row++;
    for (size_t i = 0; components && component_def_at(i); i++, row++) {
        const component_def *d = component_def_at(i);
        cells[row * 4] = d->type;
        cells[row * 4 + 1] = "ComponentDefinition";
        cells[row * 4 + 2] = DEF_NAMESPACE;
        cells[row * 4 + 3] = d->description ? d->description : "";
    }
    for (size_t i = 0; traits && trait_def_at(i); i++, row++) {
        const trait_def *d = trait_def_at(i);
        cells[row * 4] = d->type;
        cells[row * 4 + 1] = "TraitDefinition";
        cells[row * 4 + 2] = DEF_NAMESPACE;
        cells[row * 4 + 3] = d->description ? d->description : "";
    }
    table_print(stdout, cells, row, 4, NULL);
    free(cells);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
cleanup:
    cmdline_args_release(&pos);
    return rc;
}

/* ---- vela show ---- */

static const cmdline_opt show_opts[] = {{0}};
static const cmdline_cmd show_cmd = {
    .name = "vela show",
    .args = "NAME",
    .min_args = 1,
    .max_args = 1,
    .about = "Shows the properties of a component type or trait: name, description, type,\n"
             "whether it is required and its default, one table per nested list.\n",
    .footer = "Exit status: 0, 1 for an unknown definition, 2 usage.\n",
};

#define SHOW_COLS 5
#define SHOW_CELL 512

/* One cell of the table, owned. */
typedef struct show_row {
    char cell[SHOW_COLS][SHOW_CELL];
} show_row;

/* The type as KubeVela prints it: string, int, bool, [...]string, map[string]string, the
 * choices of an enum, and a link to the nested table of a list of objects. */
static void show_type(const prop_spec *f, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    if (f->one_of) {
        for (const char *const *o = f->one_of; *o && len < n; o++)
            len += (size_t)snprintf(buf + len, n - len, "%s\"%s\"", len ? " or " : "", *o);
        return;
    }
    switch (f->kind) {
    case PROP_STRING: snprintf(buf, n, "string"); break;
    case PROP_INT: snprintf(buf, n, "int"); break;
    case PROP_BOOL: snprintf(buf, n, "bool"); break;
    case PROP_QUANTITY: snprintf(buf, n, "string or number"); break;
    case PROP_STRING_MAP: snprintf(buf, n, "map[string]string"); break;
    case PROP_INT_MAP: snprintf(buf, n, "map[string]int"); break;
    case PROP_STRING_LIST: snprintf(buf, n, "[]string"); break;
    case PROP_LIST:
        if (f->fields)
            snprintf(buf, n, "[[]%s](#%s)", f->name, f->name);
        else
            snprintf(buf, n, "[]map[string]_");
        break;
    case PROP_MAP: snprintf(buf, n, "map[string]_"); break;
    case PROP_OBJECT:
        if (f->fields)
            snprintf(buf, n, "[%s](#%s)", f->name, f->name);
        else
            snprintf(buf, n, "map[string]_");
        break;
    case PROP_ANY: snprintf(buf, n, "_"); break;
    }
}

/* tablewriter's padding: numbers to the right, other cells to the left; headers centred. */
static int show_is_number(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((*s < '0' || *s > '9') && *s != '.')
            return 0;
    return 1;
}

static void show_border(const size_t *w)
{
    for (size_t c = 0; c < SHOW_COLS; c++) {
        fputc('+', stdout);
        for (size_t i = 0; i < w[c] + 2; i++)
            fputc('-', stdout);
    }
    fputs("+\n", stdout);
}

static void show_line(const show_row *r, const size_t *w, int header)
{
    for (size_t c = 0; c < SHOW_COLS; c++) {
        const char *s = r->cell[c];
        size_t gap = w[c] - strlen(s), left = 0;
        if (header)
            left = gap / 2;
        else if (show_is_number(s))
            left = gap;
        printf("| %*s%s%*s ", (int)left, "", s, (int)(gap - left), "");
    }
    fputs("|\n", stdout);
}

/* Prints the table of fields titled "<#...> title", then the tables of its nested lists. */
static void show_table(const prop_spec *fields, const char *title, int depth)
{
    static const char *const heads[SHOW_COLS] = {"NAME", "DESCRIPTION", "TYPE", "REQUIRED",
                                                 "DEFAULT"};
    size_t n = 0, w[SHOW_COLS] = {0};
    while (fields[n].name)
        n++;
    show_row *rows = xcalloc(n + 1, sizeof(*rows));
    for (size_t c = 0; c < SHOW_COLS; c++)
        snprintf(rows[0].cell[c], SHOW_CELL, "%s", heads[c]);
    for (size_t i = 0; i < n; i++) {
        const prop_spec *f = &fields[i];
        show_row *r = &rows[i + 1];
        snprintf(r->cell[0], SHOW_CELL, "%s", f->name);
        /* a sentence, as KubeVela ends each usage text with a full stop */
        snprintf(r->cell[1], SHOW_CELL, "%s%s", f->description ? f->description : "",
                 f->description ? "." : "");
        show_type(f, r->cell[2], SHOW_CELL);
        snprintf(r->cell[3], SHOW_CELL, "%s", f->flags & PROP_REQUIRED ? "true" : "false");
        snprintf(r->cell[4], SHOW_CELL, "%s", f->default_text ? f->default_text : "");
    }
    for (size_t i = 0; i <= n; i++)
        for (size_t c = 0; c < SHOW_COLS; c++)
            if (strlen(rows[i].cell[c]) > w[c])
                w[c] = strlen(rows[i].cell[c]);
    printf("%.*s %s\n", depth < 3 ? depth : 3, "###", title);
    show_border(w);
    show_line(&rows[0], w, 1);
    show_border(w);
    for (size_t i = 1; i <= n; i++)
        show_line(&rows[i], w, 0);
    show_border(w);
    printf("\n\n");
    free(rows);
    for (size_t i = 0; i < n; i++)
        if (fields[i].kind == PROP_LIST && fields[i].fields)
            show_table(fields[i].fields, fields[i].name, depth + 1);
}

int cmd_show(int argc, char **argv, vela_opts *opts)
{
    cmdline_args pos = {0};
    int rc = cli_parse(&show_cmd, show_opts, NULL, opts, argc, argv, &pos);
    if (rc != CMDLINE_CONTINUE)
        goto cleanup;
    const char *name = pos.argv[0];
    const component_def *cd = component_def_find(name);
    const trait_def *td = cd ? NULL : trait_def_find(name);
    if (!cd && !td) {
        char comps[512], traits[512];
        defs_component_names(comps, sizeof(comps));
        defs_trait_names(traits, sizeof(traits));
        fprintf(stderr,
                "error: no definition named \"%s\"; component types: %s; traits: %s (see 'vela "
                "def list')\n",
                name, comps, traits);
        rc = EXIT_FAIL;
        goto cleanup;
    }
    show_table(cd ? cd->props : td->props, "Specification", 1);
    rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
cleanup:
    cmdline_args_release(&pos);
    return rc;
}
