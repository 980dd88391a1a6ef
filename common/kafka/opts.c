/* The Kafka options' table and their defaults (see opts.h); cmdline parses them. */
#include "kafka/opts.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

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

/* -X key=value: kept as a key and a value, passed to librdkafka as they are. */
static int opts_add_x(void *base, const char *kv, char *err, size_t errlen)
{
    vela_opts *o = base;
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return err_set(err, errlen, "expects key=value, got \"%s\"", kv);
    if (o->nx == OPTS_MAX_X)
        return err_set(err, errlen, "too many -X options (at most %d)", OPTS_MAX_X);
    o->x_keys[o->nx] = xstrndup(kv, (size_t)(eq - kv));
    o->x_values[o->nx] = xstrdup(eq + 1);
    o->nx++;
    return 0;
}

const cmdline_opt opts_table[] = {
    {.name = "bootstrap-servers",
     .kind = CMDLINE_STRING,
     .arg = "HOST:PORT[,...]",
     .offset = offsetof(vela_opts, bootstrap_servers),
     .help = "Kafka brokers (env VELA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092)"},
    {.letter = 'X',
     .kind = CMDLINE_CALL,
     .arg = "key=value",
     .fn = opts_add_x,
     .help = "a librdkafka property, repeatable (e.g. security.protocol=SSL)"},
    {.name = "topic-prefix",
     .kind = CMDLINE_STRING,
     .arg = "PREFIX",
     .offset = offsetof(vela_opts, topic_prefix),
     .help = "topic name prefix (env VELA_TOPIC_PREFIX, default \"vela.\")"},
    {0},
};

cmdline_group opts_group(vela_opts *o)
{
    return (cmdline_group){"Kafka options", opts_table, o};
}
