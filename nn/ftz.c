/* ftz.c — flush-to-zero and denormals-are-zero.
 *
 * With momentum, many velocities decay geometrically towards zero (weights
 * fed by blank pixels or dead ReLUs) and enter the denormal range, where x86
 * arithmetic is up to 100x slower. Flushing them to zero changes no result
 * that matters (they are below 1.2e-38) and keeps late epochs as fast as the
 * first. The MXCSR register is per thread, so each training thread calls this.
 */
#include "nn.h"

#if defined(__SSE2__)
#include <pmmintrin.h>
#include <xmmintrin.h>

int nn_enable_flush_to_zero(void) {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
    return _MM_GET_FLUSH_ZERO_MODE() == _MM_FLUSH_ZERO_ON &&
           _MM_GET_DENORMALS_ZERO_MODE() == _MM_DENORMALS_ZERO_ON;
}
#else
int nn_enable_flush_to_zero(void) { return 0; } /* not available: say so */
#endif
