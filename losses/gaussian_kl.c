/* gaussian_kl.c — KL(N(m, σ²) ‖ N(0, 1)) for a diagonal Gaussian given as
 * means m and log-variances s = log σ², the VAE latent loss.
 *
 * Input x (B, 2D): row = [m_1 … m_D, s_1 … s_D]. Per sample:
 *   l = ½ Σ_d (m_d² + e^{s_d} − 1 − s_d)
 * (the KL of two Gaussians, ½(σ² + m² − 1 − log σ²) per dimension, with the
 * prior N(0, 1)). Closed-form gradient, from that line:
 *   ∂l/∂m_d = m_d
 *   ∂l/∂s_d = ½ (e^{s_d} − 1)
 * l ≥ 0, with equality at m = 0, s = 0. Predicting s rather than σ keeps σ²
 * positive without a constraint. Not a loss on a softmax: lo->mode is unused
 * (docs/losses.md#gaussian-kl).
 */
#include <math.h>
#include <stdlib.h>

#include "loss.h"

static double gkl_value(const void *cfg, const nn_loss_row *r) {
    (void)cfg;
    int D = r->K / 2;
    const nn_real *m = r->p, *s = r->p + D; /* (D), (D) */
    double l = 0;
    for (int d = 0; d < D; d++) l += (double)m[d] * m[d] + exp(s[d]) - 1 - s[d];
    return 0.5 * l;
}

static void gkl_grad(const void *cfg, const nn_loss_row *r, nn_real *dx) {
    (void)cfg;
    int D = r->K / 2;
    const nn_real *m = r->p, *s = r->p + D;
    for (int d = 0; d < D; d++) {
        dx[d] = m[d];                                  /* from ½ m² */
        dx[D + d] = (nn_real)(0.5 * (exp(s[d]) - 1)); /* from ½ (e^s − 1 − s) */
    }
}

static const nn_loss_ops gkl_ops = {
    .name = "gaussian_kl",
    .value = gkl_value,
    .grad_input = gkl_grad,
};

int nn_gaussian_kl(nn_graph *g, int x, const nn_loss_options *lo) {
    if (!nn_graph_check_node(g, x, "gaussian_kl")) return -1;
    int W = nn_node_width(g, x);
    if (W % 2 != 0) {
        nn_graph_fail(g, "gaussian_kl: the input must have an even width (D means, then D "
                      "log-variances), got %d", W);
        return -1;
    }
    return nn_loss_add(g, &gkl_ops, x, -1, 0, lo, NULL);
}
