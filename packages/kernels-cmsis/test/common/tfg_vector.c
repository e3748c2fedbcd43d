/* Parsing and running test vectors (see tfg_vector.h); the parameter order per op is vector-file.ts's. */
#include "tfg_vector.h"

#include <string.h>

enum {
  OP_CONV = 1,
  OP_DEPTHWISE = 2,
  OP_FC = 3,
  OP_AVGPOOL = 4,
  OP_MAXPOOL = 5,
  OP_ADD = 6,
  OP_MUL = 7,
  OP_SOFTMAX = 8,
  OP_RESHAPE = 9,
  OP_LUT = 10,
  OP_QUANTIZE = 11,
  OP_DEQUANTIZE = 12,
  OP_PAD = 13,
  OP_TRANSPOSE = 14,
  OP_CONCAT = 15,
  OP_MEAN = 16,
  /* 16-bit activations, float32 layers, recurrent layers and transposed convolutions (tfg_vector_s16.c). */
  OP_FIRST_S16 = 17,
  OP_LAST_S16 = 37
};

/* Concatenation's per-input parameters start here: count, outer, output offset, then 4 ints per input. */
#define CONCAT_PART(p, k) ((p) + 3 + 4 * (k))

static float float_from_bits(int32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static int32_t read_i32(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

int tfg_vector_parse(const uint8_t *data, size_t size, tfg_vector *v) {
  size_t pos = 8;
  if (size < 16 || memcmp(data, "TFGV", 4) != 0) return 0;
  v->op = read_i32(data + 4);
  v->num_ints = read_i32(data + pos);
  pos += 4;
  if (v->num_ints < 0 || v->num_ints > TFG_VECTOR_MAX_INTS || pos + 4 * (size_t)v->num_ints + 4 > size) return 0;
  for (int32_t i = 0; i < v->num_ints; i++, pos += 4) v->ints[i] = read_i32(data + pos);
  v->num_blobs = read_i32(data + pos);
  pos += 4;
  if (v->num_blobs < 0 || v->num_blobs > TFG_VECTOR_MAX_BLOBS) return 0;
  for (int32_t b = 0; b < v->num_blobs; b++) {
    if (pos + 4 > size) return 0;
    v->blob_size[b] = read_i32(data + pos);
    pos += 4;
    if (v->blob_size[b] < 0 || pos + (size_t)v->blob_size[b] > size) return 0;
    v->blob[b] = v->blob_size[b] > 0 ? data + pos : NULL;
    pos += ((size_t)v->blob_size[b] + 3u) & ~(size_t)3u;
  }
  return 1;
}

static tfg_dims dims_at(const int32_t *p) {
  tfg_dims d = {p[0], p[1], p[2], p[3]};
  return d;
}

static int32_t dims_size(const tfg_dims *d) { return d->n * d->h * d->w * d->c; }

int32_t tfg_vector_num_inputs(const tfg_vector *v) {
  if (v->op >= OP_FIRST_S16 && v->op <= OP_LAST_S16) return tfg_vector_s16_num_inputs(v);
  if (v->op == OP_CONCAT) return v->ints[0];
  return v->op == OP_ADD || v->op == OP_MUL ? 2 : 1;
}

int32_t tfg_vector_output_size(const tfg_vector *v) {
  const int32_t *p = v->ints;
  if (v->op >= OP_FIRST_S16 && v->op <= OP_LAST_S16) return tfg_vector_s16_output_size(v);
  switch (v->op) {
    case OP_CONV:
    case OP_DEPTHWISE:
    case OP_ADD:
    case OP_MUL: {
      const tfg_dims o = dims_at(p + 8);
      return dims_size(&o);
    }
    case OP_FC:
      return p[0] * p[2];
    case OP_AVGPOOL:
    case OP_MAXPOOL: {
      const tfg_dims o = dims_at(p + 6);
      return dims_size(&o);
    }
    case OP_SOFTMAX:
      return p[0] * p[1];
    case OP_RESHAPE:
    case OP_LUT:
    case OP_QUANTIZE:
      return p[0];
    case OP_DEQUANTIZE:
      return 4 * p[0];
    case OP_PAD: {
      const tfg_dims o = dims_at(p + 8);
      return dims_size(&o);
    }
    case OP_TRANSPOSE: {
      const tfg_dims in = dims_at(p);
      return dims_size(&in);
    }
    case OP_CONCAT: {
      int32_t row = 0;
      if (p[0] < 1 || p[0] > TFG_VECTOR_MAX_BLOBS || v->num_ints != 3 + 4 * p[0]) return -1;
      for (int32_t k = 0; k < p[0]; k++) row += CONCAT_PART(p, k)[0];
      return p[1] * row;
    }
    case OP_MEAN: {
      int32_t size = 1;
      for (int32_t d = 0; d < 4; d++) size *= ((p[4] >> (3 - d)) & 1) ? 1 : p[d];
      return size;
    }
    default:
      return -1;
  }
}

/* The folded-bias flag follows a call's other ints; vectors written before it existed end without it. */
static int32_t int_or_zero(const tfg_vector *v, int32_t index) { return index < v->num_ints ? v->ints[index] : 0; }

static tfg_conv_params conv_params_at(const tfg_vector *v) {
  const int32_t *p = v->ints;
  const tfg_conv_params cp = {p[12],          p[13],          {p[15], p[14]}, {p[17], p[16]},
                              {p[19], p[18]}, {p[20], p[21]}, int_or_zero(v, 22)};
  return cp;
}

static tfg_dw_conv_params dw_params_at(const tfg_vector *v) {
  const int32_t *p = v->ints;
  const tfg_dw_conv_params dp = {p[12],          p[13],          p[22], {p[15], p[14]}, {p[17], p[16]},
                                 {p[19], p[18]}, {p[20], p[21]}, int_or_zero(v, 23)};
  return dp;
}

/* A conv vector with a non-empty sixth blob carries a packed filter for tfg_convolve_packed_s8. */
static int conv_is_packed(const tfg_vector *v) { return v->num_blobs > 5 && v->blob_size[5] > 0; }

int32_t tfg_vector_scratch_size(const tfg_vector *v) {
  const int32_t *p = v->ints;
  if (v->op >= OP_FIRST_S16 && v->op <= OP_LAST_S16) return tfg_vector_s16_scratch_size(v);
  switch (v->op) {
    case OP_CONV: {
      const tfg_dims in = dims_at(p), f = dims_at(p + 4);
      const tfg_conv_params cp = conv_params_at(v);
      if (conv_is_packed(v)) return tfg_convolve_packed_s8_get_buffer_size(&in, &f);
      return tfg_convolve_wrapper_s8_get_buffer_size(&cp, &in, &f);
    }
    case OP_DEPTHWISE: {
      const tfg_dims in = dims_at(p), f = dims_at(p + 4);
      return tfg_depthwise_conv_s8_get_buffer_size(&in, &f);
    }
    case OP_FC: {
      const tfg_dims f = {p[1], 1, 1, p[2]};
      return tfg_fully_connected_s8_get_buffer_size(&f);
    }
    case OP_AVGPOOL: {
      const tfg_dims o = dims_at(p + 6);
      return tfg_avgpool_s8_get_buffer_size(&o);
    }
    default:
      return 0;
  }
}

#define I8(b) ((const int8_t *)v->blob[b])
#define I32(b) ((const int32_t *)(const void *)v->blob[b])

tfg_status tfg_vector_run(const tfg_vector *v, const int8_t *const *inputs, int8_t *output, void *scratch,
                          int32_t scratch_size) {
  const int32_t *p = v->ints;
  const int8_t *in0 = inputs != NULL ? inputs[0] : I8(0);
  const tfg_context ctx = {scratch, scratch_size};
  if (v->op >= OP_FIRST_S16 && v->op <= OP_LAST_S16) return tfg_vector_s16_run(v, inputs, output, scratch, scratch_size);
  switch (v->op) {
    case OP_CONV:
    case OP_DEPTHWISE: {
      const tfg_dims in = dims_at(p), f = dims_at(p + 4), o = dims_at(p + 8);
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      if (v->op == OP_CONV) {
        const tfg_conv_params cp = conv_params_at(v);
        if (conv_is_packed(v)) {
          if (v->blob_size[5] != 4 * tfg_convolve_packed_s8_filter_words(&in, &f)) return TFG_ARG_ERROR;
          return tfg_convolve_packed_s8(&ctx, &cp, &in, in0, &f, I32(5), &o, output);
        }
        return tfg_convolve_wrapper_s8(&ctx, &cp, &q, &in, in0, &f, I8(1), I32(2), &o, output);
      }
      const tfg_dw_conv_params dp = dw_params_at(v);
      return tfg_depthwise_conv_s8(&ctx, &dp, &q, &in, in0, &f, I8(1), I32(2), &o, output);
    }
    case OP_FC: {
      const tfg_dims in = {p[0], 1, 1, p[1]}, f = {p[1], 1, 1, p[2]}, o = {p[0], 1, 1, p[2]};
      const tfg_fc_params fp = {p[3], p[4], p[5], {p[6], p[7]}, int_or_zero(v, 9), int_or_zero(v, 10)};
      if (p[8] != 0) {
        const tfg_per_channel_quant_params q = {I32(3), I32(4)};
        return tfg_fully_connected_per_channel_s8(&ctx, &fp, &q, &in, in0, &f, I8(1), I32(2), &o, output);
      }
      const tfg_per_tensor_quant_params q = {I32(3)[0], I32(4)[0]};
      return tfg_fully_connected_s8(&ctx, &fp, &q, &in, in0, &f, I8(1), I32(2), &o, output);
    }
    case OP_AVGPOOL:
    case OP_MAXPOOL: {
      const tfg_dims in = dims_at(p), f = {1, p[4], p[5], 1}, o = dims_at(p + 6);
      const tfg_pool_params pp = {{p[11], p[10]}, {p[13], p[12]}, {p[14], p[15]}};
      return v->op == OP_AVGPOOL ? tfg_avgpool_s8(&ctx, &pp, &in, in0, &f, &o, output)
                                 : tfg_maxpool_s8(&ctx, &pp, &in, in0, &f, &o, output);
    }
    case OP_ADD:
    case OP_MUL: {
      const tfg_dims a = dims_at(p), b = dims_at(p + 4), o = dims_at(p + 8);
      const int8_t *in1 = inputs != NULL ? inputs[1] : I8(1);
      if (v->op == OP_ADD) {
        const tfg_add_params ap = {p[12], p[13], p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21],
                                   {p[22], p[23]}};
        return tfg_elementwise_add_s8(&ap, &a, in0, &b, in1, &o, output);
      }
      const tfg_mul_params mp = {p[12], p[13], p[14], p[15], p[16], {p[17], p[18]}};
      return tfg_elementwise_mul_s8(&mp, &a, in0, &b, in1, &o, output);
    }
    case OP_SOFTMAX: {
      const tfg_softmax_params sp = {p[2], p[3], p[4]};
      return tfg_softmax_s8(&sp, p[0], p[1], in0, output);
    }
    case OP_RESHAPE:
      return tfg_reshape_s8(in0, output, p[0]);
    case OP_LUT:
      return tfg_lut_s8(I8(1), p[0], in0, output);
    case OP_QUANTIZE:
      return tfg_quantize_f32_s8((const float *)(const void *)in0, p[0], float_from_bits(p[1]), p[2], output);
    case OP_DEQUANTIZE:
      return tfg_dequantize_s8_f32(in0, p[0], float_from_bits(p[1]), p[2], (float *)(void *)output);
    case OP_PAD: {
      const tfg_dims in = dims_at(p), before = dims_at(p + 4), o = dims_at(p + 8);
      return tfg_pad_s8(&in, in0, &before, &o, (int8_t)p[12], output);
    }
    case OP_TRANSPOSE: {
      const tfg_dims in = dims_at(p);
      return tfg_transpose_s8(&in, in0, p + 4, output);
    }
    case OP_CONCAT: {
      tfg_concat_input parts[TFG_VECTOR_MAX_BLOBS];
      for (int32_t k = 0; k < p[0]; k++) {
        const int32_t *c = CONCAT_PART(p, k);
        parts[k].data = inputs != NULL ? inputs[k] : I8(k);
        parts[k].row = c[0];
        parts[k].requantize = c[1];
        parts[k].scale = float_from_bits(c[2]);
        parts[k].bias = float_from_bits(c[3]);
      }
      return tfg_concatenation_s8(parts, p[0], p[1], p[2], output);
    }
    case OP_MEAN: {
      const tfg_dims in = dims_at(p);
      const tfg_mean_params mp = {p[4], p[5], p[6], p[7], p[8]};
      return tfg_mean_s8(&mp, &in, in0, output);
    }
    default:
      return TFG_ARG_ERROR;
  }
}
