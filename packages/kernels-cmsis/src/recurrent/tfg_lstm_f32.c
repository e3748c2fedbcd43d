/*
 * Float UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite Micro's float lstm_eval): each gate's two matrix products summed in
 * double and rounded to float32 (then the float32 bias), sigmoid and tanh in double, the cell update in float32.
 * Needs libm's exp and tanh.
 */
#include <math.h>

#include "tfg_recurrent_common.h"

enum { GATE_INPUT, GATE_FORGET, GATE_CELL, GATE_OUTPUT };

int32_t tfg_lstm_f32_get_buffer_size(const tfg_sequence_dims *dims) {
  return 4 * tfg_rnn_max_rows(dims) * dims->units * (int32_t)sizeof(float);
}

/* out[r * units + u] (=|+=) (float)(sum_k W[u, k] * x[r * cols + k]) (+ bias[u]). */
static void float_fc(const float *w, const float *bias, const float *x, int32_t rows, int32_t units, int32_t cols,
                     float *out, int accumulate) {
  for (int32_t r = 0; r < rows; r++) {
    for (int32_t u = 0; u < units; u++) {
      double acc = 0.0;
      for (int32_t k = 0; k < cols; k++) acc += (double)w[u * cols + k] * (double)x[r * cols + k];
      /* float32(acc) + bias stays a double until it is added (the reference interpreter's order). */
      const double v = (double)(float)acc + (bias != NULL ? (double)bias[u] : 0.0);
      out[r * units + u] = (float)(accumulate ? (double)out[r * units + u] + v : v);
    }
  }
}

static float sigmoid(float v) { return (float)(1.0 / (1.0 + exp(-(double)v))); }

static void gate(const tfg_lstm_f32_params *p, int32_t g, const float *x, const float *h, int32_t rows, float *out,
                 int sigmoid_gate) {
  const tfg_sequence_dims *d = &p->dims;
  float_fc(p->input_weights[g], p->bias[g], x, rows, d->units, d->input_size, out, 0);
  float_fc(p->recurrent_weights[g], NULL, h, rows, d->units, d->units, out, 1);
  for (int32_t i = 0; i < rows * d->units; i++) {
    out[i] = sigmoid_gate ? sigmoid(out[i]) : (float)tanh((double)out[i]);
  }
}

tfg_status tfg_lstm_f32(const tfg_context *ctx, const tfg_lstm_f32_params *params, const float *input,
                        float *hidden_state, float *cell_state, float *output) {
  const tfg_lstm_f32_params *p = params;
  const tfg_sequence_dims *d = &p->dims;
  if (d->units < 1 || ctx->buf == NULL || ctx->size < tfg_lstm_f32_get_buffer_size(d)) {
    return TFG_ARG_ERROR;
  }
  const int32_t span = tfg_rnn_max_rows(d) * d->units;
  float *input_gate = (float *)ctx->buf;
  float *forget_gate = input_gate + span;
  float *cell_gate = forget_gate + span;
  float *output_gate = cell_gate + span;
  const float clip = p->cell_clip;
  const int32_t steps = tfg_rnn_step_count(d);
  for (int32_t k = 0; k < steps; k++) {
    const tfg_rnn_step s = tfg_rnn_step_at(d, k);
    const int32_t n = s.rows * d->units;
    const float *x = input + s.input_offset;
    float *h = hidden_state + s.state_offset;
    float *c = cell_state + s.state_offset;
    gate(p, GATE_FORGET, x, h, s.rows, forget_gate, 1);
    gate(p, GATE_INPUT, x, h, s.rows, input_gate, 1);
    gate(p, GATE_CELL, x, h, s.rows, cell_gate, 0);
    for (int32_t i = 0; i < n; i++) {
      float v = forget_gate[i] * c[i] + input_gate[i] * cell_gate[i];
      if (clip > 0.0f) {
        v = v > clip ? clip : v < -clip ? -clip : v;
      }
      c[i] = v;
    }
    gate(p, GATE_OUTPUT, x, h, s.rows, output_gate, 1);
    for (int32_t i = 0; i < n; i++) {
      h[i] = (float)((double)output_gate[i] * tanh((double)c[i]));
    }
    memcpy(output + s.output_offset, h, (size_t)n * sizeof(float));
  }
  return TFG_OK;
}
