/* The fixed-address TCP forwarder of vela-broker: one accept thread, one relay thread per
 * connection. A shared eventfd wakes every thread at shutdown. See forward.h. */
#include "forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/log.h"
#include "base/util.h"

#define FWD_MAX_UPSTREAMS 16

struct fwd_conn {
    struct fwd *f;
    int client;
    int upstream;
    pthread_t thread;
    struct fwd_conn *next;
};

struct fwd {
    int listen_fd;
    int stop_fd; /* eventfd: readable once shutdown starts */
    pthread_t accept_thread;
    struct sockaddr_in up[FWD_MAX_UPSTREAMS];
    size_t nup;
    size_t next_up;
    pthread_mutex_t lock;
    struct fwd_conn *conns; /* every connection whose thread has not been joined */
};

static int fwd_parse_addr(const char *s, size_t len, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = memrchr(s, ':', len);
    if (!colon || (size_t)(colon - s) >= sizeof(host))
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end != s + len || port <= 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Writes all of buf, waiting on POLLOUT; -1 when the peer is gone or shutdown started. */
static int fwd_write_all(int fd, int stop_fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        struct pollfd p[2] = {{fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return -1;
        if (p[1].revents)
            return -1;
    }
    return 0;
}

static void *fwd_relay(void *arg)
{
    struct fwd_conn *c = arg;
    char buf[64 * 1024];

    for (;;) {
        struct pollfd p[3] = {{c->client, POLLIN, 0},
                              {c->upstream, POLLIN, 0},
                              {c->f->stop_fd, POLLIN, 0}};
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[2].revents)
            break;
        int from = -1, to = -1;
        if (p[0].revents) {
            from = c->client;
            to = c->upstream;
        } else if (p[1].revents) {
            from = c->upstream;
            to = c->client;
        }
        if (from < 0)
            continue;
        ssize_t n = recv(from, buf, sizeof(buf), 0);
        if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
            break;
        if (n > 0 && fwd_write_all(to, c->f->stop_fd, buf, (size_t)n) < 0)
            break;
    }
    /* Closing here lets the peer see EOF at once; the struct is freed at join time. */
    shutdown(c->client, SHUT_RDWR);
    shutdown(c->upstream, SHUT_RDWR);
    return NULL;
}

/* Joins and frees the connections whose relay finished (all of them when all != 0). */
static void fwd_reap(struct fwd *f, int all)
{
    pthread_mutex_lock(&f->lock);
    struct fwd_conn **pp = &f->conns;
    while (*pp) {
        struct fwd_conn *c = *pp;
        int done = all;
        if (!done) {
            /* A finished relay has shut both sockets down: a zero-timeout poll sees HUP. */
            struct pollfd p = {c->client, 0, 0};
            done = poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
        }
        if (!done) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        pthread_mutex_unlock(&f->lock);
        pthread_join(c->thread, NULL);
        close(c->client);
        close(c->upstream);
        free(c);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
}

static void fwd_handle(struct fwd *f, int client)
{
    struct sockaddr_in *up = &f->up[f->next_up++ % f->nup];
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)up, sizeof(*up)) < 0) {
        log_warn("event=forward_connect_failed error=\"%s\"", strerror(errno));
        if (s >= 0)
            close(s);
        close(client);
        return;
    }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct fwd_conn *c = xcalloc(1, sizeof(*c));
    c->f = f;
    c->client = client;
    c->upstream = s;
    if (pthread_create(&c->thread, NULL, fwd_relay, c) != 0) {
        close(s);
        close(client);
        free(c);
        return;
    }
    pthread_mutex_lock(&f->lock);
    c->next = f->conns;
    f->conns = c; /* now owned by f, freed by fwd_reap */
    pthread_mutex_unlock(&f->lock);
}

static void *fwd_accept_loop(void *arg)
{
    struct fwd *f = arg;
    for (;;) {
        struct pollfd p[2] = {{f->listen_fd, POLLIN, 0}, {f->stop_fd, POLLIN, 0}};
        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        fwd_reap(f, 0);
        if (!(p[0].revents & POLLIN))
            continue;
        int client = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        fwd_handle(f, client);
    }
    return NULL;
}

fwd *fwd_new(const char *listen_addr, const char *upstreams, char *err, size_t errlen)
{
    struct sockaddr_in la;
    int one = 1;

    if (fwd_parse_addr(listen_addr, strlen(listen_addr), &la) < 0) {
        err_set(err, errlen, "--listen \"%s\" is not HOST:PORT with an IPv4 host", listen_addr);
        return NULL;
    }
    struct fwd *f = xcalloc(1, sizeof(*f));
    f->listen_fd = -1;
    f->stop_fd = -1;
    pthread_mutex_init(&f->lock, NULL);
    for (const char *p = upstreams; *p && f->nup < FWD_MAX_UPSTREAMS;) {
        size_t n = strcspn(p, ",");
        if (fwd_parse_addr(p, n, &f->up[f->nup]) == 0)
            f->nup++;
        p += n;
        if (*p == ',')
            p++;
    }
    if (f->nup == 0) {
        err_set(err, errlen, "no usable broker address in \"%s\"", upstreams);
        goto fail;
    }
    f->stop_fd = eventfd(0, EFD_CLOEXEC);
    f->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (f->stop_fd < 0 || f->listen_fd < 0) {
        err_set(err, errlen, "socket: %s", strerror(errno));
        goto fail;
    }
    setsockopt(f->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(f->listen_fd, (struct sockaddr *)&la, sizeof(la)) < 0 ||
        listen(f->listen_fd, 128) < 0) {
        err_set(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
        goto fail;
    }
    if (pthread_create(&f->accept_thread, NULL, fwd_accept_loop, f) != 0) {
        err_set(err, errlen, "cannot start the forwarder thread");
        goto fail;
    }
    return f;
fail:
    if (f->listen_fd >= 0)
        close(f->listen_fd);
    if (f->stop_fd >= 0)
        close(f->stop_fd);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return NULL;
}

void fwd_free(fwd *f)
{
    if (!f)
        return;
    uint64_t one = 1;
    if (write(f->stop_fd, &one, sizeof(one)) < 0)
        log_warn("event=forward_stop_failed error=\"%s\"", strerror(errno));
    pthread_join(f->accept_thread, NULL);
    fwd_reap(f, 1);
    close(f->listen_fd);
    close(f->stop_fd);
    pthread_mutex_destroy(&f->lock);
    free(f);
}
