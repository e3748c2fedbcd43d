/*
 * ADD, SUB and MUL on int16 with broadcasting (TFLite Micro's int16 paths): ADD/SUB shift both offset inputs left
 * by params->left_shift (15), rescale each to twice the larger input scale, add or subtract in a wrapping int32
 * and rescale to the output; MUL rescales the product with one multiplier. Plain C.
 */
#include "../support/tfg_nn_broadcast.h"
#include "../support/tfg_nn_s16.h"

typedef int32_t (*combine_fn)(const void *params, int32_t a, int32_t b);

static int32_t add_one(const void *params, int32_t a, int32_t b) {
  const tfg_add_params *p = (const tfg_add_params *)params;
  const int32_t sa = tfg_nn_requantize((a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier, p->input1_shift);
  const int32_t sb = tfg_nn_requantize((b + p->input2_offset) * (1 << p->left_shift), p->input2_multiplier, p->input2_shift);
  return tfg_nn_requantize((int32_t)((uint32_t)sa + (uint32_t)sb), p->output_multiplier, p->output_shift) + p->output_offset;
}

static int32_t sub_one(const void *params, int32_t a, int32_t b) {
  const tfg_add_params *p = (const tfg_add_params *)params;
  const int32_t sa = tfg_nn_requantize((a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier, p->input1_shift);
  const int32_t sb = tfg_nn_requantize((b + p->input2_offset) * (1 << p->left_shift), p->input2_multiplier, p->input2_shift);
  return tfg_nn_requantize((int32_t)((uint32_t)sa - (uint32_t)sb), p->output_multiplier, p->output_shift) + p->output_offset;
}

static int32_t mul_one(const void *params, int32_t a, int32_t b) {
  const tfg_mul_params *p = (const tfg_mul_params *)params;
  return p->output_offset +
         tfg_nn_requantize((a + p->input1_offset) * (b + p->input2_offset), p->output_multiplier, p->output_shift);
}

static tfg_status broadcast_s16(combine_fn f, const void *params, const tfg_activation *act, const tfg_dims *d1,
                                const int16_t *in1, const tfg_dims *d2, const int16_t *in2, const tfg_dims *o,
                                int16_t *out) {
  tfg_nn_strides s1, s2;
  if (!tfg_nn_broadcast_strides(d1, o, &s1) || !tfg_nn_broadcast_strides(d2, o, &s2)) {
    return TFG_ARG_ERROR;
  }
  for (int32_t n = 0; n < o->n; n++) {
    for (int32_t h = 0; h < o->h; h++) {
      for (int32_t w = 0; w < o->w; w++) {
        const int32_t base1 = n * s1.n + h * s1.h + w * s1.w;
        const int32_t base2 = n * s2.n + h * s2.h + w * s2.w;
        for (int32_t c = 0; c < o->c; c++) {
          const int32_t v = f(params, in1[base1 + c * s1.c], in2[base2 + c * s2.c]);
          *out++ = (int16_t)TFG_MIN(TFG_MAX(v, act->min), act->max);
        }
      }
    }
  }
  return TFG_OK;
}

tfg_status tfg_elementwise_add_s16(const tfg_add_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output) {
  return broadcast_s16(add_one, params, &params->activation, input1_dims, input1, input2_dims, input2, output_dims,
                       output);
}

tfg_status tfg_elementwise_sub_s16(const tfg_add_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output) {
  return broadcast_s16(sub_one, params, &params->activation, input1_dims, input1, input2_dims, input2, output_dims,
                       output);
}

tfg_status tfg_elementwise_mul_s16(const tfg_mul_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output) {
  return broadcast_s16(mul_one, params, &params->activation, input1_dims, input1, input2_dims, input2, output_dims,
                       output);
}
