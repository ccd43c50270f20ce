/* fault.c: IMAGINE_FAULT, counted fault points (see fault.h). */
#include "fault.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_FAULTS = 32 };

static struct {
    char point[32];
    long at, seen;
} faults[MAX_FAULTS];
static int n_faults;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void parse(void) {
    const char *spec = getenv("IMAGINE_FAULT");
    while (spec && *spec && n_faults < MAX_FAULTS) {
        const char *colon = strchr(spec, ':'), *comma = strchr(spec, ',');
        if (!colon || (comma && comma < colon)) break;
        size_t len = (size_t)(colon - spec);
        if (len >= sizeof faults[0].point) len = sizeof faults[0].point - 1;
        memcpy(faults[n_faults].point, spec, len);
        faults[n_faults].point[len] = 0;
        faults[n_faults].at = strtol(colon + 1, NULL, 10);
        n_faults++;
        spec = comma ? comma + 1 : NULL;
    }
}

int fault_hit(const char *point) {
    pthread_once(&once, parse);
    if (!n_faults) return 0;
    int fire = 0;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < n_faults; i++)
        if (!strcmp(faults[i].point, point) && ++faults[i].seen == faults[i].at) fire = 1;
    pthread_mutex_unlock(&mu);
    if (fire && !strncmp(point, "kill", 4)) kill(getpid(), SIGKILL);
    if (fire && !strncmp(point, "stop", 4)) kill(getpid(), SIGSTOP); /* the test then kills it from outside */
    return fire;
}
