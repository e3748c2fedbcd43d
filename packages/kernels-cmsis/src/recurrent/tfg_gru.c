/*
 * The GRU (PyTorch nn.GRU / ONNX GRU, one direction; TFLite has no GRU kernel). Integer: tinyforge's GRU built from
 * TFLite's integer LSTM blocks (gates in Q3.12 through per-layer effective scales, sigmoid/tanh to Q0.15, products
 * with one effective scale, an int16 Q0.15 hidden state requantized to the int8 output). Float: sums in double
 * rounded to float32 per product, the gate arithmetic in double as the reference interpreter. Gates: update (z),
 * reset (r), candidate (n).
 */
#include <math.h>

#include "tfg_recurrent_common.h"

enum { GATE_UPDATE, GATE_RESET, GATE_CANDIDATE };

int32_t tfg_gru_s8_get_buffer_size(const tfg_sequence_dims *dims) {
  const int32_t span = tfg_rnn_max_rows(dims) * dims->units;
  return (5 * span + dims->input_size) * (int32_t)sizeof(int16_t) + span * (int32_t)sizeof(int32_t) + 4;
}

tfg_status tfg_gru_s8(const tfg_context *ctx, const tfg_gru_params *params, const int8_t *input, int16_t *hidden_state,
                      int8_t *output) {
  const tfg_gru_params *p = params;
  const tfg_sequence_dims *d = &p->dims;
  if (d->units < 1 || ctx->buf == NULL || ctx->size < tfg_gru_s8_get_buffer_size(d)) {
    return TFG_ARG_ERROR;
  }
  const int32_t span = tfg_rnn_max_rows(d) * d->units;
  int32_t *one_minus_z = (int32_t *)ctx->buf;
  int16_t *z = (int16_t *)(one_minus_z + span);
  int16_t *r = z + span;
  int16_t *n = r + span;
  int16_t *t = n + span;
  int16_t *u = t + span;
  int16_t *widened = u + span;
  const int32_t steps = tfg_rnn_step_count(d);
  for (int32_t k = 0; k < steps; k++) {
    const tfg_rnn_step s = tfg_rnn_step_at(d, k);
    const int32_t count = s.rows * d->units;
    const int8_t *x = input + s.input_offset;
    int16_t *h = hidden_state + s.state_offset;
    tfg_rnn_gate_fc(&p->input_fc[GATE_UPDATE], x, 1, s.rows, d->units, d->input_size, z, widened);
    tfg_rnn_gate_fc(&p->recurrent_fc[GATE_UPDATE], h, 2, s.rows, d->units, d->units, t, NULL);
    tfg_rnn_add_sat(z, t, count, z);
    for (int32_t i = 0; i < count; i++) z[i] = tfg_nn_logistic_s16(z[i], 0, 0);
    tfg_rnn_gate_fc(&p->input_fc[GATE_RESET], x, 1, s.rows, d->units, d->input_size, r, widened);
    tfg_rnn_gate_fc(&p->recurrent_fc[GATE_RESET], h, 2, s.rows, d->units, d->units, t, NULL);
    tfg_rnn_add_sat(r, t, count, r);
    for (int32_t i = 0; i < count; i++) r[i] = tfg_nn_logistic_s16(r[i], 0, 0);
    tfg_rnn_gate_fc(&p->input_fc[GATE_CANDIDATE], x, 1, s.rows, d->units, d->input_size, n, widened);
    if (p->linear_before_reset) {
      tfg_rnn_gate_fc(&p->recurrent_fc[GATE_CANDIDATE], h, 2, s.rows, d->units, d->units, t, NULL);
      tfg_rnn_mul(&p->reset_times_recurrent, r, t, count, t, 2);
    } else {
      tfg_rnn_mul(&p->reset_times_hidden, r, h, count, u, 2);
      tfg_rnn_gate_fc(&p->recurrent_fc[GATE_CANDIDATE], u, 2, s.rows, d->units, d->units, t, NULL);
    }
    tfg_rnn_add_sat(n, t, count, n);
    for (int32_t i = 0; i < count; i++) n[i] = tfg_nn_tanh_s16(n[i], 0, 0);
    /* h' = (1 - z) n + z h, with 1 - z as 32768 - z in Q0.15 (an int32: z may be 0). */
    const tfg_gate_mul *m = &p->gate_times_state;
    for (int32_t i = 0; i < count; i++) {
      one_minus_z[i] = 32768 - z[i];
      const int32_t a = m->output_offset + tfg_nn_requantize(one_minus_z[i] * n[i], m->multiplier, m->shift);
      t[i] = (int16_t)TFG_MIN(TFG_MAX(a, m->min), m->max);
    }
    tfg_rnn_mul(m, z, h, count, u, 2);
    tfg_rnn_add_sat(t, u, count, h);
    for (int32_t i = 0; i < count; i++) {
      const int32_t v = p->output_offset + tfg_nn_requantize(h[i], p->output_multiplier, p->output_shift);
      output[s.output_offset + i] = (int8_t)TFG_MIN(TFG_MAX(v, INT8_MIN), INT8_MAX);
    }
  }
  return TFG_OK;
}

int32_t tfg_gru_f32_get_buffer_size(const tfg_sequence_dims *dims) {
  return 5 * tfg_rnn_max_rows(dims) * dims->units * (int32_t)sizeof(float);
}

static void float_fc(const float *w, const float *bias, const float *x, int32_t rows, int32_t units, int32_t cols,
                     float *out, int accumulate) {
  for (int32_t row = 0; row < rows; row++) {
    for (int32_t o = 0; o < units; o++) {
      double acc = 0.0;
      for (int32_t k = 0; k < cols; k++) acc += (double)w[o * cols + k] * (double)x[row * cols + k];
      /* float32(acc) + bias stays a double until it is added (the reference interpreter's order). */
      const double v = (double)(float)acc + (bias != NULL ? (double)bias[o] : 0.0);
      out[row * units + o] = (float)(accumulate ? (double)out[row * units + o] + v : v);
    }
  }
}

static float sigmoid(float v) { return (float)(1.0 / (1.0 + exp(-(double)v))); }

tfg_status tfg_gru_f32(const tfg_context *ctx, const tfg_gru_f32_params *params, const float *input,
                       float *hidden_state, float *output) {
  const tfg_gru_f32_params *p = params;
  const tfg_sequence_dims *d = &p->dims;
  if (d->units < 1 || ctx->buf == NULL || ctx->size < tfg_gru_f32_get_buffer_size(d)) {
    return TFG_ARG_ERROR;
  }
  const int32_t span = tfg_rnn_max_rows(d) * d->units;
  float *z = (float *)ctx->buf;
  float *r = z + span;
  float *n = r + span;
  float *hn = n + span;
  float *rh = hn + span;
  const int32_t U = d->units, I = d->input_size;
  const int32_t steps = tfg_rnn_step_count(d);
  for (int32_t k = 0; k < steps; k++) {
    const tfg_rnn_step s = tfg_rnn_step_at(d, k);
    const int32_t count = s.rows * U;
    const float *x = input + s.input_offset;
    float *h = hidden_state + s.state_offset;
    float_fc(p->input_weights[GATE_UPDATE], p->input_bias[GATE_UPDATE], x, s.rows, U, I, z, 0);
    float_fc(p->recurrent_weights[GATE_UPDATE], p->recurrent_bias[GATE_UPDATE], h, s.rows, U, U, z, 1);
    float_fc(p->input_weights[GATE_RESET], p->input_bias[GATE_RESET], x, s.rows, U, I, r, 0);
    float_fc(p->recurrent_weights[GATE_RESET], p->recurrent_bias[GATE_RESET], h, s.rows, U, U, r, 1);
    for (int32_t i = 0; i < count; i++) {
      z[i] = sigmoid(z[i]);
      r[i] = sigmoid(r[i]);
    }
    float_fc(p->input_weights[GATE_CANDIDATE], p->input_bias[GATE_CANDIDATE], x, s.rows, U, I, n, 0);
    if (p->linear_before_reset) {
      float_fc(p->recurrent_weights[GATE_CANDIDATE], p->recurrent_bias[GATE_CANDIDATE], h, s.rows, U, U, hn, 0);
      for (int32_t i = 0; i < count; i++) n[i] = (float)((double)n[i] + (double)r[i] * (double)hn[i]);
    } else {
      for (int32_t i = 0; i < count; i++) rh[i] = r[i] * h[i];
      float_fc(p->recurrent_weights[GATE_CANDIDATE], p->recurrent_bias[GATE_CANDIDATE], rh, s.rows, U, U, n, 1);
    }
    for (int32_t i = 0; i < count; i++) n[i] = (float)tanh((double)n[i]);
    for (int32_t i = 0; i < count; i++) {
      h[i] = (float)((1.0 - (double)z[i]) * (double)n[i] + (double)z[i] * (double)h[i]);
    }
    memcpy(output + s.output_offset, h, (size_t)count * sizeof(float));
  }
  return TFG_OK;
}
