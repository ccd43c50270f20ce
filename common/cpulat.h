/* cpulat.h: hold the kernel's CPU wake-up latency request for the life of
 * the process (Linux PM QoS, /dev/cpu_dma_latency).
 *
 * Why: lavapipe hands every dispatch to its worker threads and sleeps until
 * they finish, so a training step of a small model is ~100 sleep/wake pairs.
 * On a virtual machine whose idle vCPUs halt (cpuidle haltpoll with
 * guest_halt_poll_ns = 0, as on the hosts here) each wake-up of a halted
 * vCPU takes tens of microseconds: 60-90 us a dispatch, a third of the tiny
 * shape's step. With a request of 0 us the idle loop polls instead of
 * halting and the wake-up is a memory write. The request costs power (idle
 * CPUs spin), needs write access to the device file (root), and is opt-in:
 * `--cpu-latency US` on the training verbs and `bench train`, or
 * $IMAGINE_CPU_LATENCY for every verb (decode hands off ~20-70 dispatches a
 * token: 1.7-2.3x the decode speed of small models at 0).
 *
 * cpulat_hold writes the request (a 32-bit integer, microseconds) and keeps
 * the file open: the kernel drops the request when the process exits, which
 * is the only way it ends. $IMAGINE_CPU_LATENCY_FILE names another file
 * (tests). Errors: IM_USAGE for us < 0; IM_IO naming the file when it
 * cannot be opened or written. */
#ifndef IMAGINE_CPULAT_H
#define IMAGINE_CPULAT_H

#include "err.h"

int cpulat_hold(long us, const char *what, Err *err); /* what: the flag or variable, for messages */

/* $IMAGINE_CPU_LATENCY=US: the same request for any verb (generate, serve,
 * bench decode, run with local: models, the pipeline's commands, which
 * inherit it). Unset or empty: none. A value that is not a whole number of
 * microseconds is IM_USAGE naming the variable. */
int cpulat_from_env(Err *err);

/* The flag's help, one text for every verb that takes it. */
#define CPULAT_HELP                                                                                                 \
    "hold the kernel's CPU wake-up latency request at US microseconds while imagine runs (/dev/cpu_dma_latency; " \
    "root). 0: idle CPUs poll instead of halting, so lavapipe's threads wake within a microsecond (on a VM a "    \
    "halted vCPU takes tens: small models' steps 1.4-1.8x faster); costs power. Default: no request"

#endif
