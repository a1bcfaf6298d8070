/* losses.h — the loss library beyond cross-entropy: KL, distillation, ordinal expected-value losses, expectation heads, Gaussian KL, soft ordinal targets (issue 3).
 * Included by nn.h; do not include directly. */
#ifndef NN_LOSSES_H
#define NN_LOSSES_H

#endif
