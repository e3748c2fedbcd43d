/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, integer (TFLite Micro's lstm_eval for int8 activations with an int16 cell state,
 * and for int16 activations: 16x8). Per step: the forget, input and cell gates (two fully connected layers into
 * Q3.12, a saturating add, sigmoid/tanh to Q0.15), the cell update (two products with one effective scale each,
 * a saturating add, the clip), the output gate, and the new hidden state = output gate * tanh(cell), which is
 * also the step's output. State stays in the caller's buffers between calls.
 */
#include "tfg_recurrent_common.h"

enum { GATE_INPUT, GATE_FORGET, GATE_CELL, GATE_OUTPUT };

int32_t tfg_lstm_s8_get_buffer_size(const tfg_sequence_dims *dims) {
  const int32_t widened = TFG_MAX(dims->input_size, dims->units);
  return (5 * tfg_rnn_max_rows(dims) * dims->units + widened) * (int32_t)sizeof(int16_t);
}

/* gate = f(sat(W x + R h)) over `rows` rows. */
static void gate(const tfg_lstm_params *p, int32_t g, const void *x, const void *h, int32_t rows, int16_t *out,
                 int16_t *scratch, int16_t *widened, int sigmoid) {
  const tfg_sequence_dims *d = &p->dims;
  const int32_t n = rows * d->units;
  tfg_rnn_gate_fc(&p->input_fc[g], x, p->activation_bytes, rows, d->units, d->input_size, out, widened);
  tfg_rnn_gate_fc(&p->recurrent_fc[g], h, p->activation_bytes, rows, d->units, d->units, scratch, widened);
  tfg_rnn_add_sat(out, scratch, n, out);
  for (int32_t i = 0; i < n; i++) {
    out[i] = sigmoid ? tfg_nn_logistic_s16(out[i], 0, 0) : tfg_nn_tanh_s16(out[i], 0, 0);
  }
}

tfg_status tfg_lstm_s8(const tfg_context *ctx, const tfg_lstm_params *params, const void *input, void *hidden_state,
                       int16_t *cell_state, void *output) {
  const tfg_lstm_params *p = params;
  const tfg_sequence_dims *d = &p->dims;
  const int32_t e = p->activation_bytes;
  if ((e != 1 && e != 2) || d->units < 1 || d->input_size < 0 || ctx->buf == NULL ||
      ctx->size < tfg_lstm_s8_get_buffer_size(d)) {
    return TFG_ARG_ERROR;
  }
  const int32_t span = tfg_rnn_max_rows(d) * d->units;
  int16_t *input_gate = (int16_t *)ctx->buf;
  int16_t *forget_gate = input_gate + span;
  int16_t *cell_gate = forget_gate + span;
  int16_t *output_gate = cell_gate + span;
  int16_t *scratch = output_gate + span;
  int16_t *widened = scratch + span;
  const uint8_t *x = (const uint8_t *)input;
  uint8_t *h = (uint8_t *)hidden_state;
  uint8_t *y = (uint8_t *)output;
  const int32_t steps = tfg_rnn_step_count(d);
  for (int32_t k = 0; k < steps; k++) {
    const tfg_rnn_step s = tfg_rnn_step_at(d, k);
    const int32_t n = s.rows * d->units;
    const uint8_t *xs = x + (size_t)s.input_offset * (size_t)e;
    uint8_t *hs = h + (size_t)s.state_offset * (size_t)e;
    int16_t *c = cell_state + s.state_offset;
    gate(p, GATE_FORGET, xs, hs, s.rows, forget_gate, scratch, widened, 1);
    gate(p, GATE_INPUT, xs, hs, s.rows, input_gate, scratch, widened, 1);
    gate(p, GATE_CELL, xs, hs, s.rows, cell_gate, scratch, widened, 0);
    tfg_rnn_mul(&p->forget_times_cell, forget_gate, c, n, c, 2);
    tfg_rnn_mul(&p->input_times_cell_gate, input_gate, cell_gate, n, scratch, 2);
    tfg_rnn_add_sat(c, scratch, n, c);
    if (p->cell_clip > 0) {
      for (int32_t i = 0; i < n; i++) {
        c[i] = (int16_t)TFG_MIN(TFG_MAX(c[i], -p->cell_clip), p->cell_clip);
      }
    }
    gate(p, GATE_OUTPUT, xs, hs, s.rows, output_gate, scratch, widened, 1);
    for (int32_t i = 0; i < n; i++) {
      scratch[i] = tfg_nn_tanh_s16(c[i], p->cell_tanh_multiplier, p->cell_tanh_shift);
    }
    tfg_rnn_mul(&p->hidden, scratch, output_gate, n, hs, e);
    memcpy(y + (size_t)s.output_offset * (size_t)e, hs, (size_t)n * (size_t)e);
  }
  return TFG_OK;
}
