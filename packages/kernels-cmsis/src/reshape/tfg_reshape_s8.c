/* Reshape: the bytes do not change, so this copies only when the generator gave the output its own buffer. */
#include "../support/tfg_nn_support.h"

#include <string.h>

tfg_status tfg_reshape_s8(const int8_t *input, int8_t *output, int32_t size) {
  if (size < 0) {
    return TFG_ARG_ERROR;
  }
  if (input != output) {
    memmove(output, input, (size_t)size);
  }
  return TFG_OK;
}
