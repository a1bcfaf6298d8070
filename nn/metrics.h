/* metrics.h — accuracy, confusion matrix, ordinal and distillation metrics (issue 3).
 * Included by nn.h; do not include directly. */
#ifndef NN_METRICS_H
#define NN_METRICS_H

#endif
