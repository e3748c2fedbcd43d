/*
 * Byte-moving layout kernels for any element size (int8, int16, int32, float32): constant PAD and STRIDED_SLICE
 * of tensors right-aligned to 4-D.
 */
#include <string.h>

#include "../support/tfg_nn_s16.h"

static void fill_elements(void *out, int32_t count, int32_t bytes, int32_t fill) {
  if (bytes == 1) {
    memset(out, fill, (size_t)count);
    return;
  }
  for (int32_t i = 0; i < count; i++) {
    if (bytes == 2) {
      ((int16_t *)out)[i] = (int16_t)fill;
    } else {
      ((int32_t *)out)[i] = fill;
    }
  }
}

tfg_status tfg_pad(const tfg_dims *input_dims, const void *input, const tfg_dims *pad_before, const tfg_dims *output_dims,
                   int32_t element_bytes, int32_t fill, void *output) {
  const tfg_dims *in = input_dims, *o = output_dims, *p = pad_before;
  const int32_t e = element_bytes;
  if ((e != 1 && e != 2 && e != 4) || p->n < 0 || p->h < 0 || p->w < 0 || p->c < 0 || p->n + in->n > o->n ||
      p->h + in->h > o->h || p->w + in->w > o->w || p->c + in->c > o->c) {
    return TFG_ARG_ERROR;
  }
  fill_elements(output, o->n * o->h * o->w * o->c, e, fill);
  const uint8_t *src = (const uint8_t *)input;
  uint8_t *dst = (uint8_t *)output;
  for (int32_t b = 0; b < in->n; b++) {
    for (int32_t y = 0; y < in->h; y++) {
      for (int32_t x = 0; x < in->w; x++) {
        const int32_t from = ((b * in->h + y) * in->w + x) * in->c;
        const int32_t to = (((b + p->n) * o->h + y + p->h) * o->w + x + p->w) * o->c + p->c;
        memcpy(dst + (size_t)to * (size_t)e, src + (size_t)from * (size_t)e, (size_t)in->c * (size_t)e);
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_strided_slice(const tfg_slice_params *params, const tfg_dims *input_dims, const void *input,
                             const tfg_dims *output_dims, void *output) {
  const tfg_dims *in = input_dims, *o = output_dims, *b = &params->begin, *s = &params->stride;
  const int32_t e = params->element_bytes;
  if (e != 1 && e != 2 && e != 4) {
    return TFG_ARG_ERROR;
  }
  const int32_t sn = in->h * in->w * in->c, sh = in->w * in->c, sw = in->c;
  const uint8_t *src = (const uint8_t *)input;
  uint8_t *dst = (uint8_t *)output;
  for (int32_t n = 0; n < o->n; n++) {
    for (int32_t h = 0; h < o->h; h++) {
      for (int32_t w = 0; w < o->w; w++) {
        const int32_t row = (b->n + n * s->n) * sn + (b->h + h * s->h) * sh + (b->w + w * s->w) * sw;
        for (int32_t c = 0; c < o->c; c++) {
          const int32_t from = row + b->c + c * s->c;
          memcpy(dst, src + (size_t)from * (size_t)e, (size_t)e);
          dst += e;
        }
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_transpose(const tfg_dims *input_dims, const void *input, const int32_t *perm, int32_t element_bytes,
                         void *output) {
  const int32_t e = element_bytes;
  const int32_t extent[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
  const int32_t stride[4] = {extent[1] * extent[2] * extent[3], extent[2] * extent[3], extent[3], 1};
  if (e != 1 && e != 2 && e != 4) {
    return TFG_ARG_ERROR;
  }
  for (int32_t d = 0; d < 4; d++) {
    if (perm[d] < 0 || perm[d] > 3) {
      return TFG_ARG_ERROR;
    }
  }
  const int32_t o[4] = {extent[perm[0]], extent[perm[1]], extent[perm[2]], extent[perm[3]]};
  const uint8_t *src = (const uint8_t *)input;
  uint8_t *dst = (uint8_t *)output;
  for (int32_t a = 0; a < o[0]; a++)
    for (int32_t b = 0; b < o[1]; b++)
      for (int32_t c = 0; c < o[2]; c++)
        for (int32_t d = 0; d < o[3]; d++) {
          const int32_t from = a * stride[perm[0]] + b * stride[perm[1]] + c * stride[perm[2]] + d * stride[perm[3]];
          memcpy(dst, src + (size_t)from * (size_t)e, (size_t)e);
          dst += e;
        }
  return TFG_OK;
}

tfg_status tfg_concatenation(const tfg_concat_input *inputs, int32_t num_inputs, int32_t outer, int32_t output_offset,
                             int32_t element_bytes, void *output) {
  const int32_t e = element_bytes;
  if (num_inputs < 1 || outer < 0 || (e != 2 && e != 4)) {
    return TFG_ARG_ERROR;
  }
  uint8_t *out = (uint8_t *)output;
  for (int32_t o = 0; o < outer; o++) {
    for (int32_t k = 0; k < num_inputs; k++) {
      const tfg_concat_input *in = &inputs[k];
      const uint8_t *src = (const uint8_t *)in->data + (size_t)o * (size_t)in->row * (size_t)e;
      if (!in->requantize) {
        memmove(out, src, (size_t)in->row * (size_t)e);
      } else {
        /* int16 (e == 2): TFLite's ConcatenationWithScaling, float32 scale and bias, round half away. */
        for (int32_t i = 0; i < in->row; i++) {
          const float scaled = (float)((const int16_t *)(const void *)src)[i] * in->scale;
          ((int16_t *)(void *)out)[i] = tfg_nn_sat16(tfg_nn_round_half_away_f32(scaled + in->bias) + output_offset);
        }
      }
      out += (size_t)in->row * (size_t)e;
    }
  }
  return TFG_OK;
}
