/* fault.h: fault injection for the reliability tests (STYLE.md #10).
 *
 * IMAGINE_FAULT lists points and counts, "POINT:N[,POINT:N...]": the Nth
 * time the program passes POINT, the fault fires once. Points whose name
 * starts with "kill" make the process kill itself with SIGKILL there (a
 * real kill -9: no cleanup, no atexit); points starting with "stop" stop
 * the process (SIGSTOP) so that a test can look at it and kill it from
 * outside; other points make fault_hit return
 * 1 so that the caller fakes a failure. Unset: nothing happens (one
 * getenv at the first call). Thread-safe. Points used:
 *   kill-after-claim   an item was marked running, before the method runs
 *   stop-after-claim   the same place, stopping instead
 *   kill-in-commit     inside an item's transaction, before COMMIT
 *   kill-after-commit  right after an item's transaction committed
 *   error-item         the method's result becomes an infrastructure error */
#ifndef IMAGINE_FAULT_H
#define IMAGINE_FAULT_H

/* Counts a pass through point; 1 when its fault fires (kill points do not
 * return then). */
int fault_hit(const char *point);

#endif
