/* data.h — CSV and image-folder loaders, splits, standardisation (issue 4).
 * Included by nn.h; do not include directly. */
#ifndef NN_DATA_H
#define NN_DATA_H

#endif
