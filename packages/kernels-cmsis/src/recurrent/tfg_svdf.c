/*
 * SVDF (TFLite Micro's svdf_common). Each call shifts the state ([batch, filters, memory]) left by one, writes each
 * filter's feature product into its row's last slot, dots every row with its time weights, sums each unit's
 * `rank` filters and adds the bias. Integer: int8 input, feature weights and output; int16 (or int8 with a zero
 * point) time weights and state; the feature products rescaled into the state's scale and range, the unit sums
 * wrapping int32s rescaled to the output. Float: sums in double as the reference interpreter.
 */
#include <string.h>

#include "tfg_recurrent_common.h"

int32_t tfg_svdf_s8_get_buffer_size(const tfg_svdf_dims *dims) { return dims->filters * (int32_t)sizeof(int32_t); }

tfg_status tfg_svdf_s8(const tfg_context *ctx, const tfg_svdf_params *params, const int8_t *input, void *state,
                       const int8_t *weights_feature, const void *weights_time, const int32_t *bias, int8_t *output) {
  const tfg_svdf_params *p = params;
  const tfg_svdf_dims *d = &p->dims;
  const int32_t e = p->state_bytes;
  if ((e != 1 && e != 2) || d->rank < 1 || d->filters % d->rank != 0 || d->memory < 1 || ctx->buf == NULL ||
      ctx->size < tfg_svdf_s8_get_buffer_size(d)) {
    return TFG_ARG_ERROR;
  }
  const int32_t units = d->filters / d->rank;
  const int32_t state_min = e == 1 ? INT8_MIN : INT16_MIN;
  const int32_t state_max = e == 1 ? INT8_MAX : INT16_MAX;
  int32_t *scratch = (int32_t *)ctx->buf;
  const int32_t total = d->batch * d->filters * d->memory;
  memmove(state, (uint8_t *)state + e, (size_t)(total - 1) * (size_t)e);
  for (int32_t b = 0; b < d->batch; b++) {
    const int8_t *x = input + b * d->input_size;
    for (int32_t r = 0; r < d->filters; r++) {
      const int8_t *w = weights_feature + r * d->input_size;
      uint32_t dot = 0;
      for (int32_t k = 0; k < d->input_size; k++) dot += (uint32_t)(w[k] * (x[k] + p->input_offset));
      int32_t v = tfg_nn_requantize((int32_t)dot, p->feature_multiplier, p->feature_shift);
      v = TFG_MIN(TFG_MAX(v, state_min), state_max);
      tfg_nn_store_element(state, e, (b * d->filters + r) * d->memory + d->memory - 1, p->state_zero_point + v);
    }
    for (int32_t r = 0; r < d->filters; r++) {
      const int32_t base = (b * d->filters + r) * d->memory;
      uint32_t dot = 0;
      for (int32_t m = 0; m < d->memory; m++) {
        const int32_t s = tfg_nn_load_element(state, e, base + m) - p->state_zero_point;
        dot += (uint32_t)(tfg_nn_load_element(weights_time, e, r * d->memory + m) * s);
      }
      scratch[r] = (int32_t)dot;
    }
    for (int32_t u = 0; u < units; u++) {
      uint32_t sum = bias != NULL ? (uint32_t)bias[u] : 0u;
      for (int32_t j = 0; j < d->rank; j++) sum += (uint32_t)scratch[u * d->rank + j];
      const int32_t v = tfg_nn_requantize((int32_t)sum, p->output_multiplier, p->output_shift) + p->output_offset;
      output[b * units + u] = (int8_t)TFG_MIN(TFG_MAX(v, INT8_MIN), INT8_MAX);
    }
  }
  return TFG_OK;
}

tfg_status tfg_svdf_f32(const tfg_svdf_dims *dims, float act_min, float act_max, const float *input, float *state,
                        const float *weights_feature, const float *weights_time, const float *bias, float *output) {
  const tfg_svdf_dims *d = dims;
  if (d->rank < 1 || d->filters % d->rank != 0 || d->memory < 1) {
    return TFG_ARG_ERROR;
  }
  const int32_t units = d->filters / d->rank;
  const int32_t total = d->batch * d->filters * d->memory;
  memmove(state, state + 1, (size_t)(total - 1) * sizeof(float));
  for (int32_t b = 0; b < d->batch; b++) {
    for (int32_t f = 0; f < d->filters; f++) {
      double acc = 0.0;
      for (int32_t k = 0; k < d->input_size; k++) {
        acc += (double)weights_feature[f * d->input_size + k] * (double)input[b * d->input_size + k];
      }
      state[(b * d->filters + f) * d->memory + d->memory - 1] = (float)acc;
    }
    for (int32_t u = 0; u < units; u++) {
      double sum = bias != NULL ? (double)bias[u] : 0.0;
      for (int32_t j = 0; j < d->rank; j++) {
        const int32_t f = u * d->rank + j;
        double acc = 0.0;
        for (int32_t m = 0; m < d->memory; m++) {
          acc += (double)weights_time[f * d->memory + m] * (double)state[(b * d->filters + f) * d->memory + m];
        }
        sum += (double)(float)acc;
      }
      const float v = (float)(sum < (double)act_min ? (double)act_min : sum > (double)act_max ? (double)act_max : sum);
      output[b * units + u] = v;
    }
  }
  return TFG_OK;
}
