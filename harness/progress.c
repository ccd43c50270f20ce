/* progress.c: one progress line on a terminal, one summary line otherwise.
 * Every entry point takes the one mutex: progress_backoff is called from a
 * model's I/O thread while workers call progress_item. */
#include "progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_init(Progress *p, FILE *out, int tty, const char *label, int total, int finished_before) {
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = tty < 0 ? isatty(fileno(out)) : tty;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->total = total, p->finished0 = finished_before;
    p->t0 = now_s();
    pthread_mutex_init(&p->mu, NULL);
}

static void fmt_eta(double s, char *out, size_t cap) {
    if (s < 0 || s > 1e7) snprintf(out, cap, "?");
    else if (s >= 3600) snprintf(out, cap, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60) snprintf(out, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else snprintf(out, cap, "%.0fs", s);
}

static void draw(Progress *p, int force) {
    double t = now_s();
    if (!p->tty || (!force && t - p->last_draw < 0.1)) return;
    p->last_draw = t;
    int here = p->done + p->failed + p->errors, finished = p->finished0 + p->done + p->failed;
    double el = t - p->t0, rate = el > 0 ? here / el : 0;
    char eta[32], back[120] = "";
    fmt_eta(rate > 0 ? (p->total - finished - p->errors) / rate : -1, eta, sizeof eta);
    if (p->backoff_until > 0) {
        double left = p->backoff_until - t;
        if (left > 0) snprintf(back, sizeof back, "  backoff %.0fs (%s)", left, p->backoff_why);
    }
    fprintf(p->out, "\r\033[K%s %d/%d  failed %d  errors %d  %.2f/s  ETA %s%s", p->label, finished, p->total,
            p->failed, p->errors, rate, eta, back);
    fflush(p->out);
}

void progress_item(Progress *p, int outcome) {
    pthread_mutex_lock(&p->mu);
    if (outcome == 0) p->done++;
    else if (outcome == 1) p->failed++;
    else p->errors++;
    draw(p, 0);
    pthread_mutex_unlock(&p->mu);
}

void progress_backoff(Progress *p, double seconds, const char *why) {
    pthread_mutex_lock(&p->mu);
    double until = seconds > 0 ? now_s() + seconds : 0;
    /* several requests may back off at once: show the one that ends last */
    if (seconds <= 0 || until >= p->backoff_until) {
        p->backoff_until = until;
        snprintf(p->backoff_why, sizeof p->backoff_why, "%s", why ? why : "rate limit");
    }
    draw(p, 1);
    pthread_mutex_unlock(&p->mu);
}

void progress_end(Progress *p, const char *extra) {
    pthread_mutex_lock(&p->mu);
    double el = now_s() - p->t0;
    int here = p->done + p->failed + p->errors;
    if (p->tty) fputs("\r\033[K", p->out);
    fprintf(p->out, "%s: %d/%d finished, %d items this session in %.1fs (%.2f/s)%s%s\n", p->label,
            p->finished0 + p->done + p->failed, p->total, here, el, el > 0 ? here / el : 0.0, extra && *extra ? "; " : "",
            extra ? extra : "");
    fflush(p->out);
    pthread_mutex_unlock(&p->mu);
}

void progress_destroy(Progress *p) {
    if (p) pthread_mutex_destroy(&p->mu);
}
