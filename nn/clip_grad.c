/* clip_grad.c — gradient-norm clipping over the one gradient buffer, as
 * torch.nn.utils.clip_grad_norm_(parameters, max_norm) (L2 norm):
 *     n = ‖g‖₂ over every parameter gradient together
 *     c = max_norm / (n + 1e-6);  if c < 1: g ← c · g
 * and n is returned. The sum of squares is accumulated in double. */
#include <math.h>

#include "nn/graph_internal.h"

static const double CLIP_EPS = 1e-6; /* torch's: keeps c finite at n = 0 */

double nn_grad_norm(const nn_graph *g) {
    const nn_real *dw = g->grads; /* (n_params) */
    double ss = 0;
    for (size_t i = 0; i < g->n_params; i++) ss += (double)dw[i] * (double)dw[i];
    return sqrt(ss);
}

double nn_clip_grad_norm(nn_graph *g, double max_norm) {
    if (!g->compiled || !(max_norm > 0) || !isfinite(max_norm)) return NAN;
    double n = nn_grad_norm(g);
    if (!isfinite(n)) return n; /* left as it is, for the caller's non-finite check */
    double c = max_norm / (n + CLIP_EPS);
    if (!(c < 1)) return n; /* within the bound */
    nn_real *dw = g->grads;
    const nn_real cr = (nn_real)c;
    for (size_t i = 0; i < g->n_params; i++) dw[i] *= cr;
    return n;
}
