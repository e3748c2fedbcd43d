/* Test vectors of the 16-bit, float32 and recurrent kernels the transposed convolutions and the grouped int8 convolution (ops 17..37); the parameter order per op is its
   family's `vector` in src/families/. */
#include <string.h>

#include "tfg_vector.h"

enum {
  OP_CONV_S16 = 17,
  OP_DEPTHWISE_S16 = 18,
  OP_FC_S16 = 19,
  OP_ELEMENTWISE_S16 = 20,
  OP_ACTIVATION_S16 = 21,
  OP_SOFTMAX_S16 = 22,
  OP_POOL_S16 = 23,
  OP_MEAN_S16 = 24,
  OP_REQUANTIZE = 25,
  OP_LAYOUT = 26,
  OP_LSTM_S8 = 27,
  OP_LSTM_F32 = 28,
  OP_GRU_S8 = 29,
  OP_GRU_F32 = 30,
  OP_SVDF_S8 = 31,
  OP_SVDF_F32 = 32,
  OP_FLOAT32 = 33,
  OP_GATHER = 34,
  OP_TRANSPOSE_CONV_S8 = 35,
  OP_TRANSPOSE_CONV_S16 = 36,
  OP_CONV_GROUPED_S8 = 37
};

#define BLOB(b) ((const void *)v->blob[b])
#define I8(b) ((const int8_t *)BLOB(b))
#define I16(b) ((const int16_t *)BLOB(b))
#define I32(b) ((const int32_t *)BLOB(b))
#define I64(b) ((const int64_t *)BLOB(b))
#define F32(b) ((const float *)BLOB(b))
/* An optional blob (empty: NULL). */
#define OPT(T, b) (v->blob_size[b] > 0 ? (const T *)BLOB(b) : NULL)

static float bits_to_float(int32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static tfg_dims dims(const int32_t *p) {
  const tfg_dims d = {p[0], p[1], p[2], p[3]};
  return d;
}

static int32_t count(const tfg_dims *d) { return d->n * d->h * d->w * d->c; }

static int32_t align4(int32_t n) { return (n + 3) & ~3; }

static tfg_sequence_dims sequence(const int32_t *p) {
  const tfg_sequence_dims d = {p[0], p[1], p[2], p[3], p[4]};
  return d;
}

static tfg_gate_fc gate_fc(const int32_t *p, const void *weights, const void *bias) {
  tfg_gate_fc fc;
  fc.weights = (const int8_t *)weights;
  fc.bias32 = p[0] == 1 ? (const int32_t *)bias : NULL;
  fc.bias64 = p[0] == 2 ? (const int64_t *)bias : NULL;
  fc.input_offset = p[1];
  fc.multiplier = p[2];
  fc.shift = p[3];
  return fc;
}

static tfg_gate_mul gate_mul(const int32_t *p) {
  const tfg_gate_mul m = {p[0], p[1], p[2], p[3], p[4]};
  return m;
}

static tfg_bias_s16 bias16(const tfg_vector *v, int32_t kind, int32_t blob) {
  tfg_bias_s16 b = {NULL, NULL};
  if (kind == 1) b.b64 = I64(blob);
  if (kind == 2) b.b32 = I32(blob);
  return b;
}

/* Bytes of kernel scratch (before the state) and of state of a recurrent vector. */
static int32_t kernel_scratch(const tfg_vector *v) {
  const int32_t *p = v->ints;
  switch (v->op) {
    case OP_LSTM_S8: {
      const tfg_sequence_dims d = sequence(p);
      return align4(tfg_lstm_s8_get_buffer_size(&d));
    }
    case OP_LSTM_F32: {
      const tfg_sequence_dims d = sequence(p);
      return align4(tfg_lstm_f32_get_buffer_size(&d));
    }
    case OP_GRU_S8: {
      const tfg_sequence_dims d = sequence(p);
      return align4(tfg_gru_s8_get_buffer_size(&d));
    }
    case OP_GRU_F32: {
      const tfg_sequence_dims d = sequence(p);
      return align4(tfg_gru_f32_get_buffer_size(&d));
    }
    case OP_SVDF_S8: {
      const tfg_svdf_dims d = {p[0], p[1], p[2], p[3], p[4]};
      return align4(tfg_svdf_s8_get_buffer_size(&d));
    }
    default:
      return 0;
  }
}

/* State bytes (two state buffers at most) of a recurrent vector: ints [5] per-run, [6] and [7] sizes. */
static int32_t state_bytes(const tfg_vector *v, int32_t k) {
  switch (v->op) {
    case OP_LSTM_S8:
    case OP_LSTM_F32:
      return v->ints[6 + k];
    case OP_GRU_S8:
    case OP_GRU_F32:
    case OP_SVDF_S8:
    case OP_SVDF_F32:
      return k == 0 ? v->ints[6] : 0;
    default:
      return 0;
  }
}

int32_t tfg_vector_s16_num_inputs(const tfg_vector *v) {
  if (v->op == OP_GATHER && v->ints[0] == 1) return v->ints[10];
  return v->op == OP_ELEMENTWISE_S16 ? 2 : 1;
}

int32_t tfg_vector_s16_output_size(const tfg_vector *v) {
  const int32_t *p = v->ints;
  switch (v->op) {
    case OP_CONV_S16:
    case OP_DEPTHWISE_S16:
    case OP_TRANSPOSE_CONV_S16: {
      const tfg_dims o = dims(p + 8);
      return 2 * count(&o);
    }
    case OP_TRANSPOSE_CONV_S8:
    case OP_CONV_GROUPED_S8: {
      const tfg_dims o = dims(p + 8);
      return count(&o);
    }
    case OP_FC_S16:
      return 2 * p[0] * p[2];
    case OP_ELEMENTWISE_S16: {
      const tfg_dims o = dims(p + 9);
      return 2 * count(&o);
    }
    case OP_ACTIVATION_S16:
      return 2 * p[1];
    case OP_SOFTMAX_S16:
      return 2 * p[1] * p[2];
    case OP_POOL_S16: {
      const tfg_dims o = dims(p + 7);
      return 2 * count(&o);
    }
    case OP_MEAN_S16: {
      int32_t size = 1;
      for (int32_t d = 0; d < 4; d++) size *= ((p[4] >> (3 - d)) & 1) ? 1 : p[d];
      return 2 * size;
    }
    case OP_REQUANTIZE:
      return p[1] * (p[0] == 0 ? p[6] : p[0] == 1 ? 2 : 4);
    case OP_LAYOUT: {
      const tfg_dims o = dims(p + 5);
      return p[9] * count(&o);
    }
    case OP_LSTM_S8:
      return p[1] * p[2] * p[4] * p[8];
    case OP_LSTM_F32:
    case OP_GRU_F32:
      return 4 * p[1] * p[2] * p[4];
    case OP_GRU_S8:
      return p[1] * p[2] * p[4];
    case OP_SVDF_S8:
      return p[0] * (p[2] / p[4]);
    case OP_SVDF_F32:
      return 4 * p[0] * (p[2] / p[4]);
    case OP_FLOAT32:
      return 4 * p[1] * (p[0] == 1 ? p[2] : p[3]);
    case OP_GATHER: {
      if (p[0] == 0) {
        const tfg_dims in = dims(p + 2);
        return p[1] * count(&in);
      }
      int32_t row = 0;
      if (p[10] < 1 || p[10] > TFG_VECTOR_MAX_BLOBS) return -1;
      for (int32_t k = 0; k < p[10]; k++) row += p[13 + 4 * k];
      return p[1] * p[11] * row;
    }
    default:
      return -1;
  }
}

int32_t tfg_vector_s16_scratch_size(const tfg_vector *v) {
  if (v->op == OP_CONV_S16) {
    const tfg_dims in = dims(v->ints), f = dims(v->ints + 4);
    return tfg_convolve_s16_get_buffer_size(&in, &f);
  }
  if (v->op == OP_TRANSPOSE_CONV_S8) {
    const tfg_dims in = dims(v->ints), f = dims(v->ints + 4);
    return tfg_transpose_conv_s8_get_buffer_size(&in, &f);
  }
  if (v->op == OP_CONV_GROUPED_S8) {
    const int32_t *p = v->ints;
    const tfg_dims in = dims(p), f = dims(p + 4), o = dims(p + 8);
    const tfg_conv_params cp = {p[12], p[13], {p[15], p[14]}, {p[17], p[16]}, {p[19], p[18]}, {p[20], p[21]}, 0};
    return tfg_convolve_grouped_s8_get_buffer_size(&cp, &in, &f, &o);
  }
  return kernel_scratch(v) + align4(state_bytes(v, 0)) + align4(state_bytes(v, 1));
}

/* One call of a recurrent kernel with its state in `state0` (and `state1`). */
static tfg_status run_recurrent(const tfg_vector *v, const int8_t *in0, int8_t *output, const tfg_context *ctx,
                                void *state0, void *state1) {
  const int32_t *p = v->ints;
  switch (v->op) {
    case OP_LSTM_S8: {
      tfg_lstm_params lp;
      lp.dims = sequence(p);
      lp.activation_bytes = p[8];
      for (int32_t g = 0; g < 4; g++) {
        lp.input_fc[g] = gate_fc(p + 9 + 4 * g, BLOB(1 + g), BLOB(9 + g));
        lp.recurrent_fc[g] = gate_fc(p + 25 + 4 * g, BLOB(5 + g), NULL);
      }
      lp.forget_times_cell = gate_mul(p + 41);
      lp.input_times_cell_gate = gate_mul(p + 46);
      lp.hidden = gate_mul(p + 51);
      lp.cell_clip = p[56];
      lp.cell_tanh_multiplier = p[57];
      lp.cell_tanh_shift = p[58];
      return tfg_lstm_s8(ctx, &lp, in0, state0, (int16_t *)state1, output);
    }
    case OP_LSTM_F32: {
      tfg_lstm_f32_params lp;
      lp.dims = sequence(p);
      for (int32_t g = 0; g < 4; g++) {
        lp.input_weights[g] = F32(1 + g);
        lp.recurrent_weights[g] = F32(5 + g);
        lp.bias[g] = OPT(float, 9 + g);
      }
      lp.cell_clip = bits_to_float(p[8]);
      return tfg_lstm_f32(ctx, &lp, (const float *)(const void *)in0, (float *)state0, (float *)state1,
                          (float *)(void *)output);
    }
    case OP_GRU_S8: {
      tfg_gru_params gp;
      gp.dims = sequence(p);
      gp.linear_before_reset = p[8];
      for (int32_t g = 0; g < 3; g++) {
        gp.input_fc[g] = gate_fc(p + 9 + 4 * g, BLOB(1 + g), BLOB(7 + g));
        gp.recurrent_fc[g] = gate_fc(p + 21 + 4 * g, BLOB(4 + g), BLOB(10 + g));
      }
      gp.reset_times_recurrent = gate_mul(p + 33);
      gp.reset_times_hidden = gate_mul(p + 38);
      gp.gate_times_state = gate_mul(p + 43);
      gp.output_multiplier = p[48];
      gp.output_shift = p[49];
      gp.output_offset = p[50];
      return tfg_gru_s8(ctx, &gp, in0, (int16_t *)state0, output);
    }
    case OP_GRU_F32: {
      tfg_gru_f32_params gp;
      gp.dims = sequence(p);
      gp.linear_before_reset = p[8];
      for (int32_t g = 0; g < 3; g++) {
        gp.input_weights[g] = F32(1 + g);
        gp.recurrent_weights[g] = F32(4 + g);
        gp.input_bias[g] = OPT(float, 7 + g);
        gp.recurrent_bias[g] = OPT(float, 10 + g);
      }
      return tfg_gru_f32(ctx, &gp, (const float *)(const void *)in0, (float *)state0, (float *)(void *)output);
    }
    case OP_SVDF_S8: {
      const tfg_svdf_params sp = {{p[0], p[1], p[2], p[3], p[4]}, p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
      return tfg_svdf_s8(ctx, &sp, in0, state0, I8(1), BLOB(2), OPT(int32_t, 3), output);
    }
    case OP_SVDF_F32: {
      const tfg_svdf_dims d = {p[0], p[1], p[2], p[3], p[4]};
      return tfg_svdf_f32(&d, bits_to_float(p[7]), bits_to_float(p[8]), (const float *)(const void *)in0,
                          (float *)state0, F32(1), F32(2), OPT(float, 3), (float *)(void *)output);
    }
    default:
      return TFG_ARG_ERROR;
  }
}

/* The state blobs are the vector's last one or two. */
static void reset_state(const tfg_vector *v, uint8_t *state0, uint8_t *state1) {
  const int32_t s0 = state_bytes(v, 0), s1 = state_bytes(v, 1);
  const int32_t last = v->num_blobs - 1;
  if (s1 > 0) {
    memcpy(state0, v->blob[last - 1], (size_t)s0);
    memcpy(state1, v->blob[last], (size_t)s1);
  } else if (s0 > 0) {
    memcpy(state0, v->blob[last], (size_t)s0);
  }
}

tfg_status tfg_vector_s16_run(const tfg_vector *v, const int8_t *const *inputs, int8_t *output, void *scratch,
                              int32_t scratch_size) {
  const int32_t *p = v->ints;
  const int8_t *in0 = inputs != NULL ? inputs[0] : I8(0);
  switch (v->op) {
    case OP_CONV_S16:
    case OP_DEPTHWISE_S16: {
      const tfg_dims in = dims(p), f = dims(p + 4), o = dims(p + 8);
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      if (v->op == OP_CONV_S16) {
        const tfg_conv_params cp = {0, 0, {p[13], p[12]}, {p[15], p[14]}, {p[17], p[16]}, {p[18], p[19]}, 0};
        const tfg_bias_s16 b = bias16(v, p[20], 2);
        const tfg_context ctx = {scratch, scratch_size};
        return tfg_convolve_s16(&ctx, &cp, &q, &in, (const int16_t *)(const void *)in0, &f, I8(1), &b, &o,
                                (int16_t *)(void *)output);
      }
      const tfg_dw_conv_params dp = {0, 0, p[21], {p[13], p[12]}, {p[15], p[14]}, {p[17], p[16]}, {p[18], p[19]}, 0};
      return tfg_depthwise_conv_s16(&dp, &q, &in, (const int16_t *)(const void *)in0, &f, I8(1),
                                    p[20] == 1 ? I64(2) : NULL, &o, (int16_t *)(void *)output);
    }
    case OP_FC_S16: {
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      const tfg_activation act = {p[3], p[4]};
      const tfg_bias_s16 b = bias16(v, p[5], 2);
      return tfg_fully_connected_s16(&q, &act, p[0], p[1], p[2], (const int16_t *)(const void *)in0, I8(1), &b,
                                     (int16_t *)(void *)output);
    }
    case OP_ELEMENTWISE_S16: {
      const tfg_dims a = dims(p + 1), b = dims(p + 5), o = dims(p + 9);
      const int16_t *x1 = (const int16_t *)(const void *)in0;
      const int16_t *x2 = (const int16_t *)(const void *)(inputs != NULL ? inputs[1] : I8(1));
      int16_t *out = (int16_t *)(void *)output;
      if (p[0] == 2) {
        const tfg_mul_params mp = {p[13], p[16], p[20], p[21], p[22], {p[23], p[24]}};
        return tfg_elementwise_mul_s16(&mp, &a, x1, &b, x2, &o, out);
      }
      const tfg_add_params ap = {p[13], p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21], p[22], {p[23], p[24]}};
      return p[0] == 0 ? tfg_elementwise_add_s16(&ap, &a, x1, &b, x2, &o, out)
                       : tfg_elementwise_sub_s16(&ap, &a, x1, &b, x2, &o, out);
    }
    case OP_ACTIVATION_S16: {
      const int16_t *x = (const int16_t *)(const void *)in0;
      int16_t *out = (int16_t *)(void *)output;
      if (p[0] == 0) return tfg_logistic_s16(p[1], p[2], p[3], x, out);
      if (p[0] == 1) return tfg_tanh_s16(p[1], p[2], p[3], x, out);
      const tfg_leaky_relu_params lp = {p[4], p[5], p[6], p[7], p[8], p[9], p[10], 2};
      return tfg_leaky_relu(&lp, p[1], x, out);
    }
    case OP_SOFTMAX_S16: {
      if (p[0] == 1) {
        const tfg_softmax_params sp = {p[3], p[4], p[5]};
        return tfg_softmax_s8_s16(&sp, p[1], p[2], in0, (int16_t *)(void *)output);
      }
      return tfg_softmax_s16(p[3], p[4], p[1], p[2], I16(1), I16(2), (const int16_t *)(const void *)in0,
                             (int16_t *)(void *)output);
    }
    case OP_POOL_S16: {
      const tfg_dims in = dims(p + 1), f = {1, p[5], p[6], 1}, o = dims(p + 7);
      const tfg_pool_params pp = {{p[12], p[11]}, {p[14], p[13]}, {p[15], p[16]}};
      const int16_t *x = (const int16_t *)(const void *)in0;
      int16_t *out = (int16_t *)(void *)output;
      return p[0] == 1 ? tfg_avgpool_s16(&pp, &in, x, &f, &o, out) : tfg_maxpool_s16(&pp, &in, x, &f, &o, out);
    }
    case OP_MEAN_S16: {
      const tfg_dims in = dims(p);
      const tfg_mean_params mp = {p[4], p[5], p[6], p[7], p[8]};
      return tfg_mean_s16(&mp, &in, (const int16_t *)(const void *)in0, (int16_t *)(void *)output);
    }
    case OP_REQUANTIZE: {
      if (p[0] == 1) {
        return tfg_quantize_f32_s16((const float *)(const void *)in0, p[1], bits_to_float(p[10]), p[7],
                                    (int16_t *)(void *)output);
      }
      if (p[0] == 2) {
        return tfg_dequantize_s16_f32((const int16_t *)(const void *)in0, p[1], bits_to_float(p[10]), p[7],
                                      (float *)(void *)output);
      }
      const tfg_requantize_params rp = {p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]};
      return tfg_requantize(&rp, p[1], in0, output);
    }
    case OP_LAYOUT: {
      const tfg_dims in = dims(p + 1), o = dims(p + 5);
      if (p[0] == 0) {
        const tfg_dims before = dims(p + 10);
        return tfg_pad(&in, in0, &before, &o, p[9], p[14], output);
      }
      const tfg_slice_params sp = {dims(p + 15), dims(p + 19), p[9]};
      return tfg_strided_slice(&sp, &in, in0, &o, output);
    }
    case OP_FLOAT32: {
      const float *x = (const float *)(const void *)in0;
      float *out = (float *)(void *)output;
      if (p[0] == 1) return tfg_softmax_f32(bits_to_float(p[6]), p[1], p[2], x, out);
      return tfg_fully_connected_f32(p[1], p[2], p[3], bits_to_float(p[4]), bits_to_float(p[5]), x, F32(1),
                                     OPT(float, 2), out);
    }
    case OP_CONV_GROUPED_S8: {
      /* ints: the int8 conv vector's (dims, offsets, stride, padding, dilation, clamp). */
      const tfg_dims in = dims(p), f = dims(p + 4), o = dims(p + 8);
      const tfg_conv_params cp = {p[12], p[13], {p[15], p[14]}, {p[17], p[16]}, {p[19], p[18]}, {p[20], p[21]}, 0};
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      const tfg_context ctx = {scratch, scratch_size};
      return tfg_convolve_grouped_s8(&ctx, &cp, &q, &in, in0, &f, I8(1), OPT(int32_t, 2), &o, output);
    }
    case OP_TRANSPOSE_CONV_S8:
    case OP_TRANSPOSE_CONV_S16: {
      /* ints: input, filter, output dims, input and output offset, stride h/w, padding h/w, clamp min/max. */
      const tfg_dims in = dims(p), f = dims(p + 4), o = dims(p + 8);
      const tfg_conv_params cp = {p[12], p[13], {p[15], p[14]}, {p[17], p[16]}, {1, 1}, {p[18], p[19]}, 0};
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      if (v->op == OP_TRANSPOSE_CONV_S16) {
        return tfg_transpose_conv_s16(&cp, &q, &in, (const int16_t *)(const void *)in0, &f, I8(1), OPT(int64_t, 2), &o,
                                      (int16_t *)(void *)output);
      }
      const tfg_context ctx = {scratch, scratch_size};
      return tfg_transpose_conv_s8(&ctx, &cp, &q, &in, in0, &f, I8(1), OPT(int32_t, 2), &o, output);
    }
    case OP_GATHER: {
      if (p[0] == 0) {
        const tfg_dims in = dims(p + 2);
        return tfg_transpose(&in, in0, p + 6, p[1], output);
      }
      tfg_concat_input parts[TFG_VECTOR_MAX_BLOBS];
      for (int32_t k = 0; k < p[10]; k++) {
        const int32_t *c = p + 13 + 4 * k;
        parts[k].data = inputs != NULL ? inputs[k] : I8(k);
        parts[k].row = c[0];
        parts[k].requantize = c[1];
        parts[k].scale = bits_to_float(c[2]);
        parts[k].bias = bits_to_float(c[3]);
      }
      return tfg_concatenation(parts, p[10], p[11], p[12], p[1], output);
    }
    default: {
      /* Recurrent: the state after the kernel's scratch, two calls. */
      const int32_t own = kernel_scratch(v);
      if (scratch_size < tfg_vector_s16_scratch_size(v) || (own > 0 && scratch == NULL)) return TFG_ARG_ERROR;
      uint8_t *state0 = (uint8_t *)scratch + own;
      uint8_t *state1 = state0 + align4(state_bytes(v, 0));
      const tfg_context kctx = {own > 0 ? scratch : NULL, own};
      reset_state(v, state0, state1);
      tfg_status s = run_recurrent(v, in0, output, &kctx, state0, state1);
      if (s != TFG_OK) return s;
      if (p[5] != 0) reset_state(v, state0, state1);
      return run_recurrent(v, in0, output, &kctx, state0, state1);
    }
  }
}
