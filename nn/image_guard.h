/* image_guard.h — checks a file's bytes for what the system's stb_image
 * would mishandle, before it decodes them (internal, not installed). */
#ifndef NN_IMAGE_GUARD_H
#define NN_IMAGE_GUARD_H

#include <stddef.h>

/* NULL if stb_image may decode buf[0..len), else why not. */
const char *nn_image_guard(const unsigned char *buf, size_t len);

#endif
