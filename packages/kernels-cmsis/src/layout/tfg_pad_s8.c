/* Constant padding of a 4-D tensor (lower ranks right-aligned with leading 1s); the fill is usually the zero point. */
#include <string.h>

#include "../support/tfg_nn_support.h"

tfg_status tfg_pad_s8(const tfg_dims *input_dims, const int8_t *input, const tfg_dims *pad_before,
                      const tfg_dims *output_dims, int8_t fill, int8_t *output) {
  const tfg_dims *in = input_dims, *o = output_dims, *p = pad_before;
  if (p->n < 0 || p->h < 0 || p->w < 0 || p->c < 0 || p->n + in->n > o->n || p->h + in->h > o->h ||
      p->w + in->w > o->w || p->c + in->c > o->c) {
    return TFG_ARG_ERROR;
  }
  memset(output, fill, (size_t)(o->n * o->h * o->w * o->c));
  for (int32_t b = 0; b < in->n; b++) {
    for (int32_t y = 0; y < in->h; y++) {
      for (int32_t x = 0; x < in->w; x++) {
        const int8_t *src = input + ((b * in->h + y) * in->w + x) * in->c;
        int8_t *dst = output + (((b + p->n) * o->h + y + p->h) * o->w + x + p->w) * o->c + p->c;
        memcpy(dst, src, (size_t)in->c);
      }
    }
  }
  return TFG_OK;
}
