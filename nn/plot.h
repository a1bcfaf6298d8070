/* plot.h — SVG line plots and heat maps (training curves, the softmax
 * Jacobian). Included by nn.h; do not include directly. */
#ifndef NN_PLOT_H
#define NN_PLOT_H

#endif
