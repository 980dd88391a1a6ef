/* Parsing of the options every program shares; see opts.h. */
#include "kafka/opts.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

const char opts_global_help[] =
    "Global options:\n"
    "  --bootstrap-servers HOST:PORT[,...]  Kafka brokers (env VELA_BOOTSTRAP_SERVERS,\n"
    "                                       default 127.0.0.1:9092)\n"
    "  -X key=value                         librdkafka property, repeatable\n"
    "                                       (e.g. security.protocol=SSL)\n"
    "  --topic-prefix PREFIX                topic name prefix (default \"vela.\")\n";

void opts_init(vela_opts *o)
{
    memset(o, 0, sizeof(*o));
    const char *env = getenv("VELA_BOOTSTRAP_SERVERS");
    o->bootstrap_servers = env && *env ? env : "127.0.0.1:9092";
    env = getenv("VELA_TOPIC_PREFIX");
    o->topic_prefix = env && *env ? env : "vela.";
}

void opts_release(vela_opts *o)
{
    for (size_t i = 0; i < o->nx; i++) {
        free((char *)o->x_keys[i]);
        free((char *)o->x_values[i]);
    }
    o->nx = 0;
}

static int opts_add_x(vela_opts *o, const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return err_set(err, errlen, "-X expects key=value, got \"%s\"", kv);
    if (o->nx == OPTS_MAX_X)
        return err_set(err, errlen, "too many -X options (at most %d)", OPTS_MAX_X);
    o->x_keys[o->nx] = strndup(kv, (size_t)(eq - kv));
    o->x_values[o->nx] = strdup(eq + 1);
    o->nx++;
    return 0;
}

/* Matches "--name value" and "--name=value"; returns the value or NULL. */
static const char *opts_value(int argc, char **argv, int *i, const char *name, int *bad)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *bad = 1;
        return NULL;
    }
    return argv[++*i];
}

int opts_parse_global(vela_opts *o, int *argc, char **argv, char *err, size_t errlen)
{
    int out = 1;
    int i;
    for (i = 1; i < *argc; i++) {
        int bad = 0;
        const char *v;
        if (strcmp(argv[i], "--") == 0)
            break;
        if ((v = opts_value(*argc, argv, &i, "--bootstrap-servers", &bad))) {
            o->bootstrap_servers = v;
        } else if ((v = opts_value(*argc, argv, &i, "--topic-prefix", &bad))) {
            o->topic_prefix = v;
        } else if (!bad && strcmp(argv[i], "-X") == 0) {
            if (i + 1 >= *argc)
                return err_set(err, errlen, "-X needs key=value");
            if (opts_add_x(o, argv[++i], err, errlen) < 0)
                return -1;
        } else if (!bad && strncmp(argv[i], "-X", 2) == 0 && argv[i][2]) {
            if (opts_add_x(o, argv[i] + 2, err, errlen) < 0)
                return -1;
        } else if (bad) {
            return err_set(err, errlen, "%s needs a value", argv[i]);
        } else {
            argv[out++] = argv[i];
        }
    }
    for (; i < *argc; i++)
        argv[out++] = argv[i];
    argv[out] = NULL;
    *argc = out;
    return 0;
}
