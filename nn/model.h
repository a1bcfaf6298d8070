/* model.h — model files (safetensors) and checkpoints (issue 4).
 * Included by nn.h; do not include directly. */
#ifndef NN_MODEL_H
#define NN_MODEL_H

#endif
