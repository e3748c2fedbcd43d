/*
 * int8 ADD with broadcasting, TFLite's scheme: inputs are offset, shifted left (20 bits for int8) for headroom,
 * rescaled to twice the larger input scale, summed, and the sum rescaled to the output scale.
 */
#include "../support/tfg_nn_broadcast.h"

static inline int8_t add_one(const tfg_add_params *p, int32_t a, int32_t b) {
  const int32_t a_shifted = (a + p->input1_offset) * (1 << p->left_shift);
  const int32_t b_shifted = (b + p->input2_offset) * (1 << p->left_shift);
  const int32_t a_scaled = tfg_nn_requantize(a_shifted, p->input1_multiplier, p->input1_shift);
  const int32_t b_scaled = tfg_nn_requantize(b_shifted, p->input2_multiplier, p->input2_shift);
  const int32_t sum = tfg_nn_requantize(a_scaled + b_scaled, p->output_multiplier, p->output_shift);
  return tfg_nn_clamp_s8(sum + p->output_offset, &p->activation);
}

tfg_status tfg_elementwise_add_s8(const tfg_add_params *params, const tfg_dims *input1_dims, const int8_t *input1,
                                  const tfg_dims *input2_dims, const int8_t *input2, const tfg_dims *output_dims,
                                  int8_t *output) {
  tfg_nn_strides s1, s2;
  if (params->left_shift < 0 || params->left_shift > 30 || params->input1_shift > 0 || params->input2_shift > 0 ||
      !tfg_nn_broadcast_strides(input1_dims, output_dims, &s1) ||
      !tfg_nn_broadcast_strides(input2_dims, output_dims, &s2)) {
    return TFG_ARG_ERROR;
  }
  if (tfg_nn_same_dims(input1_dims, output_dims) && tfg_nn_same_dims(input2_dims, output_dims)) {
    const int32_t size = output_dims->n * output_dims->h * output_dims->w * output_dims->c;
    for (int32_t i = 0; i < size; i++) {
      output[i] = add_one(params, input1[i], input2[i]);
    }
    return TFG_OK;
  }
  for (int32_t n = 0; n < output_dims->n; n++) {
    for (int32_t h = 0; h < output_dims->h; h++) {
      for (int32_t w = 0; w < output_dims->w; w++) {
        const int8_t *a = input1 + n * s1.n + h * s1.h + w * s1.w;
        const int8_t *b = input2 + n * s2.n + h * s2.h + w * s2.w;
        for (int32_t c = 0; c < output_dims->c; c++) {
          *output++ = add_one(params, a[c * s1.c], b[c * s2.c]);
        }
      }
    }
  }
  return TFG_OK;
}
