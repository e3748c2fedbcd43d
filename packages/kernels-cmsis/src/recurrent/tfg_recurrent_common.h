/*
 * The building blocks of the recurrent kernels (internal), as TFLite Micro's integer LSTM computes them: stepping
 * through a sequence (LstmStepManager), an integer fully connected layer writing an int16 gate, saturating int16
 * adds, int16 products with one effective scale.
 */
#ifndef TFG_RECURRENT_COMMON_H
#define TFG_RECURRENT_COMMON_H

#include "../support/tfg_nn_s16.h"

/* One step: the rows (batch entries) it computes and where they sit in input, output and state (elements). */
typedef struct {
  int32_t rows;
  int32_t input_offset;
  int32_t output_offset;
  int32_t state_offset;
} tfg_rnn_step;

static inline int32_t tfg_rnn_step_count(const tfg_sequence_dims *d) { return d->time_major ? d->d0 : d->d0 * d->d1; }

static inline int32_t tfg_rnn_max_rows(const tfg_sequence_dims *d) {
  return d->time_major ? TFG_MAX(d->d1, 1) : 1;
}

/* Step k in TFLite Micro's order: time-major runs the whole batch at each time step; batch-major runs each batch
   entry through all time steps with its own state slice. */
static inline tfg_rnn_step tfg_rnn_step_at(const tfg_sequence_dims *d, int32_t k) {
  tfg_rnn_step s;
  if (d->time_major) {
    s.rows = d->d1;
    s.input_offset = k * d->d1 * d->input_size;
    s.output_offset = k * d->d1 * d->units;
    s.state_offset = 0;
  } else {
    const int32_t b = k / d->d1;
    s.rows = 1;
    s.input_offset = k * d->input_size;
    s.output_offset = k * d->units;
    s.state_offset = b * d->units;
  }
  return s;
}

/* out[r * units + u] = sat16(rescale(sum_k W[u, k] * (x[r * cols + k] + offset) + bias[u])). `bytes` is the input's
   element size: 1 (int8, int32 bias, wrapping int32 accumulator) or 2 (int16, int64 bias, 64-bit rescale). With
   `widened` (cols int16), an int8 row is widened there once, offset added, and every unit's sum is the int16 dot
   product (SMLALD on the DSP path), wrapped to int32: the same as the wrapping int32 accumulator. */
static inline void tfg_rnn_gate_fc(const tfg_gate_fc *fc, const void *x, int32_t bytes, int32_t rows, int32_t units,
                                   int32_t cols, int16_t *out, int16_t *widened) {
  for (int32_t r = 0; r < rows; r++) {
    if (bytes == 1 && widened != NULL) {
      const int8_t *xi = (const int8_t *)x + r * cols;
      for (int32_t k = 0; k < cols; k++) widened[k] = (int16_t)(xi[k] + fc->input_offset);
      for (int32_t u = 0; u < units; u++) {
        uint32_t acc = (uint32_t)(uint64_t)tfg_nn_dot_s16x8(widened, fc->weights + u * cols, cols);
        if (fc->bias32 != NULL) acc += (uint32_t)fc->bias32[u];
        out[r * units + u] = tfg_nn_sat16(tfg_nn_requantize((int32_t)acc, fc->multiplier, fc->shift));
      }
      continue;
    }
    for (int32_t u = 0; u < units; u++) {
      const int8_t *w = fc->weights + u * cols;
      int32_t v;
      if (bytes == 2) {
        const int16_t *xi = (const int16_t *)x + r * cols;
        int64_t acc = tfg_nn_dot_s16x8(xi, w, cols);
        if (fc->input_offset != 0) {
          for (int32_t k = 0; k < cols; k++) acc += (int64_t)w[k] * fc->input_offset;
        }
        v = tfg_nn_requantize_s64(acc + (fc->bias64 != NULL ? fc->bias64[u] : 0), fc->multiplier, fc->shift);
      } else {
        const int8_t *xi = (const int8_t *)x + r * cols;
        uint32_t acc = 0;
        for (int32_t k = 0; k < cols; k++) acc += (uint32_t)(w[k] * (xi[k] + fc->input_offset));
        if (fc->bias32 != NULL) acc += (uint32_t)fc->bias32[u];
        v = tfg_nn_requantize((int32_t)acc, fc->multiplier, fc->shift);
      }
      out[r * units + u] = tfg_nn_sat16(v);
    }
  }
}

/* out[i] = sat16(a[i] + b[i]). */
static inline void tfg_rnn_add_sat(const int16_t *a, const int16_t *b, int32_t n, int16_t *out) {
  for (int32_t i = 0; i < n; i++) out[i] = tfg_nn_sat16((int32_t)a[i] + b[i]);
}

/* out[i] = clamp(offset + rescale(a[i] * b[i])), written as int8 or int16 (out_bytes). */
static inline void tfg_rnn_mul(const tfg_gate_mul *m, const int16_t *a, const int16_t *b, int32_t n, void *out,
                               int32_t out_bytes) {
  for (int32_t i = 0; i < n; i++) {
    const int32_t v = m->output_offset + tfg_nn_requantize((int32_t)a[i] * b[i], m->multiplier, m->shift);
    tfg_nn_store_element(out, out_bytes, i, TFG_MIN(TFG_MAX(v, m->min), m->max));
  }
}

#endif /* TFG_RECURRENT_COMMON_H */
