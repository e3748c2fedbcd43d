/* int8 MUL with broadcasting: (a + offset1) * (b + offset2) rescaled by one multiplier to the output scale. */
#include "../support/tfg_nn_broadcast.h"

static inline int8_t mul_one(const tfg_mul_params *p, int32_t a, int32_t b) {
  const int32_t product = (a + p->input1_offset) * (b + p->input2_offset);
  const int32_t scaled = tfg_nn_requantize(product, p->output_multiplier, p->output_shift);
  return tfg_nn_clamp_s8(scaled + p->output_offset, &p->activation);
}

tfg_status tfg_elementwise_mul_s8(const tfg_mul_params *params, const tfg_dims *input1_dims, const int8_t *input1,
                                  const tfg_dims *input2_dims, const int8_t *input2, const tfg_dims *output_dims,
                                  int8_t *output) {
  tfg_nn_strides s1, s2;
  if (!tfg_nn_broadcast_strides(input1_dims, output_dims, &s1) ||
      !tfg_nn_broadcast_strides(input2_dims, output_dims, &s2)) {
    return TFG_ARG_ERROR;
  }
  for (int32_t n = 0; n < output_dims->n; n++) {
    for (int32_t h = 0; h < output_dims->h; h++) {
      for (int32_t w = 0; w < output_dims->w; w++) {
        const int8_t *a = input1 + n * s1.n + h * s1.h + w * s1.w;
        const int8_t *b = input2 + n * s2.n + h * s2.h + w * s2.w;
        for (int32_t c = 0; c < output_dims->c; c++) {
          *output++ = mul_one(params, a[c * s1.c], b[c * s2.c]);
        }
      }
    }
  }
  return TFG_OK;
}
