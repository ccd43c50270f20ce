/* progress.h: the progress line of a long operation (a run).
 *
 * On a terminal: one line redrawn in place (at most 10 times a second)
 * with done/total, failed, errors, the rate, the ETA, and the backoff
 * state while a rate limit is waited out. Not a terminal: nothing while it
 * runs, and one summary line at the end. Progress owns nothing beyond its
 * struct; the FILE is borrowed. Thread-safe (one mutex). */
#ifndef IMAGINE_PROGRESS_H
#define IMAGINE_PROGRESS_H

#include <pthread.h>
#include <stdio.h>

typedef struct Progress {
    FILE *out;
    int tty;
    char label[64];
    int total;            /* items of the run */
    int finished0;        /* finished before this session */
    int done, failed, errors; /* finished in this session, by outcome */
    double t0, last_draw;
    double backoff_until; /* wall time when a backoff ends, 0: none */
    char backoff_why[64];
    pthread_mutex_t mu;
} Progress;

/* tty: -1 decides from isatty(fileno(out)). */
void progress_init(Progress *p, FILE *out, int tty, const char *label, int total, int finished_before);
/* outcome: 0 done, 1 failed, 2 error. */
void progress_item(Progress *p, int outcome);
/* A backoff of `seconds` starts now (0 ends it); why: "HTTP 429". While
 * several overlap, the line shows the one that ends last. Thread-safe. */
void progress_backoff(Progress *p, double seconds, const char *why);
/* Clears the line on a terminal and prints the summary line; extra is
 * appended to it (may be NULL). */
void progress_end(Progress *p, const char *extra);
void progress_destroy(Progress *p);

#endif
