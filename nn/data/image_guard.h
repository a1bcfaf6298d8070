/* image_guard.h — checks a file's bytes for what the system's stb_image
 * would mishandle, before it decodes them (internal, not installed). */
#ifndef NN_IMAGE_GUARD_H
#define NN_IMAGE_GUARD_H

#include <stddef.h>

/* Room for any message nn_image_guard writes into msg. */
#define NN_IMAGE_GUARD_MSG 160

/* NULL if stb_image may decode buf[0..len), else why not: a constant string
 * or msg (msg_size bytes, NN_IMAGE_GUARD_MSG is enough), filled in. */
const char *nn_image_guard(const unsigned char *buf, size_t len, char *msg, size_t msg_size);

#endif
