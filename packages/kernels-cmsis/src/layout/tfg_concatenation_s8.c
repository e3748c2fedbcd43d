/*
 * Concatenation along one axis: `outer` repetitions of each input's row of `row` bytes, one after another.
 * Inputs quantized differently from the output are requantized with TFLite's ConcatenationWithScaling float32
 * arithmetic (scale and bias precomputed by the generator), rounded half away from zero. Build with
 * -ffp-contract=off (implied by -std=c99): a fused multiply-add would round differently.
 */
#include <string.h>

#include "../support/tfg_nn_support.h"

tfg_status tfg_concatenation_s8(const tfg_concat_input *inputs, int32_t num_inputs, int32_t outer,
                                int32_t output_offset, int8_t *output) {
  if (num_inputs < 1 || outer < 0) {
    return TFG_ARG_ERROR;
  }
  int8_t *out = output;
  for (int32_t o = 0; o < outer; o++) {
    for (int32_t k = 0; k < num_inputs; k++) {
      const tfg_concat_input *in = &inputs[k];
      const int8_t *src = in->data + o * in->row;
      if (!in->requantize) {
        memmove(out, src, (size_t)in->row);
      } else {
        for (int32_t i = 0; i < in->row; i++) {
          const float scaled = (float)src[i] * in->scale;
          const int32_t v = tfg_nn_round_half_away_f32(scaled + in->bias) + output_offset;
          out[i] = (int8_t)TFG_MIN(TFG_MAX(v, INT8_MIN), INT8_MAX);
        }
      }
      out += in->row;
    }
  }
  return TFG_OK;
}
