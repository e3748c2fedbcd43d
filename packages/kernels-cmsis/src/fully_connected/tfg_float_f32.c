/*
 * Float32 kernels for float models, with TFLite's reference float arithmetic as the interpreter computes it:
 * fully connected sums products in double and rounds once to float32 before the float32 bias; softmax takes
 * exp in double of (x - max) * beta, sums the float32 exps in double and divides. Needs libm's exp.
 */
#include <math.h>

#include "../support/tfg_nn_support.h"

tfg_status tfg_fully_connected_f32(int32_t batches, int32_t depth, int32_t out_features, float act_min, float act_max,
                                   const float *input, const float *filter, const float *bias, float *output) {
  if (batches < 0 || depth < 0 || out_features < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t r = 0; r < batches; r++) {
    const float *x = input + r * depth;
    for (int32_t o = 0; o < out_features; o++) {
      const float *w = filter + o * depth;
      double acc = 0.0;
      for (int32_t i = 0; i < depth; i++) {
        acc += (double)x[i] * (double)w[i];
      }
      float v = (float)acc + (bias != NULL ? bias[o] : 0.0f);
      v = v < act_min ? act_min : v > act_max ? act_max : v;
      output[r * out_features + o] = v;
    }
  }
  return TFG_OK;
}

tfg_status tfg_softmax_f32(float beta, int32_t num_rows, int32_t row_size, const float *input, float *output) {
  if (num_rows < 0 || row_size < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t r = 0; r < num_rows; r++) {
    const float *in = input + r * row_size;
    float *out = output + r * row_size;
    float max = -INFINITY;
    for (int32_t c = 0; c < row_size; c++) {
      max = in[c] > max ? in[c] : max;
    }
    double sum = 0.0;
    for (int32_t c = 0; c < row_size; c++) {
      const float e = (float)exp(((double)in[c] - (double)max) * (double)beta);
      out[c] = e;
      sum += (double)e;
    }
    for (int32_t c = 0; c < row_size; c++) {
      out[c] = (float)((double)out[c] / sum);
    }
  }
  return TFG_OK;
}
