/* fpenv.h: flushing subnormals to zero in the calling thread, for a while.
 *
 * Products whose operands or results fall under 1.2e-38 take the x86 CPU's
 * microcode path, tens of times slower than normal arithmetic. Training a
 * model of random weights reaches there every step: the softmax's tail over a
 * 151,936-token vocabulary, multiplied by weights in the LM head's dX and dW
 * (the CPU device's 6-layer model of Qwen3-0.6B's shape: 95.2 s a full step
 * with IEEE subnormals, 5.2 s flushed). fp_flush_begin sets MXCSR's FTZ and
 * DAZ and returns the caller's MXCSR, which fp_flush_end restores, so code
 * outside (the double-precision reference ops, the tests' oracle) keeps IEEE
 * behaviour. Threads created in between inherit the setting (POSIX: a new
 * thread inherits its creator's floating-point environment), which is how
 * lavapipe's workers get it (vk.c). Elsewhere than x86 both do nothing. */
#ifndef IMAGINE_FPENV_H
#define IMAGINE_FPENV_H

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline unsigned fp_flush_begin(void) {
    unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
    return saved;
}
static inline void fp_flush_end(unsigned saved) { _mm_setcsr(saved); }
#else
static inline unsigned fp_flush_begin(void) { return 0; }
static inline void fp_flush_end(unsigned saved) { (void)saved; }
#endif

#endif
