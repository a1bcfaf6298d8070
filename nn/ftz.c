/* ftz.c — flush-to-zero and denormals-are-zero.
 *
 * With momentum, many velocities decay geometrically towards zero (weights
 * fed by blank pixels or dead ReLUs) and enter the denormal range, where x86
 * arithmetic is up to 100x slower. Flushing them to zero changes no result
 * that matters (they are below 1.2e-38) and keeps late epochs as fast as the
 * first. The MXCSR register is per thread, so each training thread calls this.
 *
 * nn_train turns both on while it trains and restores the caller's bits when
 * it returns: a library should not leave a thread's arithmetic changed.
 */
#include "nn/ftz.h"
#include "nn/nn.h"

#if defined(__SSE2__)
#include <pmmintrin.h>
#include <xmmintrin.h>

int nn_enable_flush_to_zero(void) {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
    return _MM_GET_FLUSH_ZERO_MODE() == _MM_FLUSH_ZERO_ON &&
           _MM_GET_DENORMALS_ZERO_MODE() == _MM_DENORMALS_ZERO_ON;
}

#define NN_FTZ_DAZ_BITS (_MM_FLUSH_ZERO_MASK | _MM_DENORMALS_ZERO_MASK)

unsigned nn_fp_mode_save(void) { return _mm_getcsr() & NN_FTZ_DAZ_BITS; }

void nn_fp_mode_restore(unsigned mode) {
    _mm_setcsr((_mm_getcsr() & ~NN_FTZ_DAZ_BITS) | (mode & NN_FTZ_DAZ_BITS));
}
#else
int nn_enable_flush_to_zero(void) { return 0; } /* not available: say so */
unsigned nn_fp_mode_save(void) { return 0; }
void nn_fp_mode_restore(unsigned mode) { (void)mode; }
#endif
