/*
 * 1x1 convolution without padding: each output pixel's receptive field is one input pixel, so input pixels feed
 * the GEMM directly (no im2col).
 *
 * The output may overlap the input as a row stream (output rows trailing the input rows they come from, as a
 * generated model plans in-place layers); one call then still does the whole layer:
 * - DSP path: output pixels go in increasing order, two at a time, and each pair's inputs are widened into
 *   scratch before its outputs are written, so the order is safe and no weights are packed per call.
 * - Helium: output pixels go in increasing order, four at a time, and each group's inputs are staged in scratch
 *   before its outputs are written (tfg_nn_mve_s8.c), so again one pass with no per-row restarts.
 * - Plain C: the GEMM visits channels outside rows, so an overlapping layer goes one output row per GEMM call (a
 *   row's input and output never overlap under the row-stream rule). The DSP path takes a folded bias this way too.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#define TFG_1X1_PAIRS (TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE)

/* The DSP path widens each pair of input pixels into scratch, Helium stages four; plain C runs on the input. */
int32_t tfg_convolve_1x1_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return tfg_nn_pair_gemm_s8_scratch_size(filter_dims->c);
}

int32_t tfg_convolve_1x1_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  (void)input_dims;
  return tfg_nn_mve_block_size(filter_dims->c);
}

int32_t tfg_convolve_1x1_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
#if TFG_1X1_PAIRS
  return tfg_convolve_1x1_s8_get_buffer_size_dsp(input_dims, filter_dims);
#elif TFG_NN_HAS_MVE
  return tfg_convolve_1x1_s8_get_buffer_size_mve(input_dims, filter_dims);
#else
  (void)input_dims;
  return tfg_nn_gemm_s8_packed_size(filter_dims->c);
#endif
}

#if TFG_1X1_PAIRS
static void convolve_pairs(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input, const int8_t *filter,
                           const tfg_nn_requant *requant, const tfg_dims *out, int8_t *output, int32_t *widened) {
  const int32_t channels = out->c, depth = in->c;
  const int32_t per_image = out->h * out->w, total = out->n * per_image;
  const int32_t sh = p->stride.h, sw = p->stride.w;
  const int all_fast = tfg_nn_pair_gemm_s8_all_fast(requant, channels);
  for (int32_t first = 0; first < total; first += 2) {
    const int8_t *x[2];
    for (int32_t j = 0; j < 2; j++) {
      const int32_t px = first + j < total ? first + j : first;
      const int32_t b = px / per_image, oy = (px % per_image) / out->w, ox = px % out->w;
      x[j] = input + ((b * in->h + oy * sh) * in->w + ox * sw) * depth;
    }
    int8_t *o0 = output + first * channels;
    int8_t *o1 = first + 1 < total ? o0 + channels : o0;
    tfg_nn_pair_gemm_s8(x[0], x[1], filter, channels, depth, requant, all_fast, o0, o1, widened);
  }
}
#endif

#if TFG_NN_HAS_MVE
/* Four output pixels at a time, each group staged before its outputs are written. */
static void convolve_mve(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input, const int8_t *filter,
                         const tfg_nn_requant *requant, const tfg_dims *out, int8_t *output, int8_t *block) {
  const int32_t channels = out->c, depth = in->c;
  const int32_t total = out->n * out->h * out->w;
  const int32_t sh = p->stride.h, sw = p->stride.w;
  const int all_right = tfg_nn_mve_all_right_shifts(requant->multiplier, requant->shift, channels);
  int32_t out_rows[TFG_MVE_BLOCK_ROWS];
  /* The next pixel to stage: image b, row oy, column ox, and its input. */
  int32_t b = 0, oy = 0, ox = 0;
  const int8_t *x = input, *last = input;
  for (int32_t first = 0; first < total; first += TFG_MVE_BLOCK_ROWS) {
    const int32_t rows = TFG_MIN(TFG_MVE_BLOCK_ROWS, total - first);
    for (int32_t r = 0; r < TFG_MVE_BLOCK_ROWS; r++) {
      out_rows[r] = TFG_MIN(r, rows - 1) * channels;
      if (r >= rows) {
        /* Past the last pixel the last one again: the same bytes to the same place. */
        tfg_nn_mve_stage_chunks(block + r * TFG_MVE_CHUNK, last, depth);
        continue;
      }
      tfg_nn_mve_stage_chunks(block + r * TFG_MVE_CHUNK, x, depth);
      last = x;
      if (++ox < out->w) {
        x += sw * depth;
      } else if (ox = 0, ++oy < out->h) {
        x = input + ((b * in->h + oy * sh) * in->w) * depth;
      } else {
        oy = 0;
        b++;
        x = input + b * in->h * in->w * depth;
      }
    }
    tfg_nn_mve_gemm_rows(block, filter, channels, depth, requant, all_right, output + first * channels, out_rows);
  }
}
#endif

#if !TFG_NN_HAS_MVE
/* The whole layer in one GEMM call, or one output row per call when the output overlaps the input. */
static void convolve_plain(int32_t sh, int32_t sw, const tfg_dims *in, const int8_t *input, const tfg_dims *f,
                           const int8_t *filter, const tfg_nn_requant *requant, const tfg_dims *out, int8_t *output) {
  const int32_t channels = f->n;
  const int32_t depth = in->c;
  const uintptr_t in_begin = (uintptr_t)input, out_begin = (uintptr_t)output;
  const uintptr_t in_end = in_begin + (uintptr_t)(in->n * in->h * in->w * depth);
  const uintptr_t out_end = out_begin + (uintptr_t)(out->n * out->h * out->w * channels);
  const int overlaps = in_begin < out_end && out_begin < in_end;
  if (!overlaps && sh == 1 && sw == 1 && out->h == in->h && out->w == in->w) {
    const int32_t rows = in->n * in->h * in->w;
    tfg_nn_gemm_s8(input, depth, rows, filter, channels, depth, requant, output, channels, 0);
    return;
  }
  for (int32_t b = 0; b < in->n; b++) {
    for (int32_t oy = 0; oy < out->h; oy++) {
      const int8_t *in_row = input + ((b * in->h + oy * sh) * in->w) * depth;
      int8_t *out_row = output + ((b * out->h + oy) * out->w) * channels;
      tfg_nn_gemm_s8(in_row, sw * depth, out->w, filter, channels, depth, requant, out_row, channels, 0);
    }
  }
}
#endif

/*
 * Padding after the input (explicit bottom / right padding) can put output pixels past it; those read the padding
 * (the input zero point). Such layers go pixel by pixel in plain C: rare, and the general path needs no scratch.
 */
static void convolve_padded_after(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input,
                                  const int8_t *filter, const tfg_nn_requant *q, const tfg_dims *out, int8_t *output) {
  const int32_t depth = in->c, offset = p->folded_bias ? 0 : p->input_offset, pad_value = -p->input_offset;
  for (int32_t b = 0; b < out->n; b++) {
    for (int32_t oy = 0; oy < out->h; oy++) {
      for (int32_t ox = 0; ox < out->w; ox++) {
        const int32_t iy = oy * p->stride.h, ix = ox * p->stride.w;
        const int inside = iy < in->h && ix < in->w;
        const int8_t *x = input + ((b * in->h + iy) * in->w + ix) * depth;
        int8_t *o = output + ((b * out->h + oy) * out->w + ox) * out->c;
        for (int32_t c = 0; c < out->c; c++) {
          int32_t acc = 0;
          for (int32_t k = 0; k < depth; k++) acc += ((inside ? x[k] : pad_value) + offset) * filter[c * depth + k];
          o[c] = tfg_nn_requant_store(acc, c, q);
        }
      }
    }
  }
}

tfg_status tfg_convolve_1x1_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                               const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                               const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  if (filter_dims->h != 1 || filter_dims->w != 1 || conv_params->padding.h != 0 || conv_params->padding.w != 0) {
    return TFG_NO_IMPL_ERROR;
  }
  const int32_t sh = conv_params->stride.h, sw = conv_params->stride.w;
  if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
      sh < 1 || sw < 1) {
    return TFG_ARG_ERROR;
  }
  if (ctx == 0 || (ctx->buf == 0 && ctx->size > 0) || ctx->size < tfg_convolve_1x1_s8_get_buffer_size(input_dims, filter_dims)) {
    return TFG_ARG_ERROR;
  }
  const tfg_nn_requant requant = {bias, quant_params->multiplier, quant_params->shift, 1, conv_params->input_offset,
                                  conv_params->output_offset, conv_params->activation, conv_params->folded_bias};
  if ((output_dims->h - 1) * sh >= input_dims->h || (output_dims->w - 1) * sw >= input_dims->w) {
    convolve_padded_after(conv_params, input_dims, input, filter, &requant, output_dims, output);
    return TFG_OK;
  }
#if TFG_1X1_PAIRS
  if (!conv_params->folded_bias) {
    convolve_pairs(conv_params, input_dims, input, filter, &requant, output_dims, output, (int32_t *)ctx->buf);
    return TFG_OK;
  }
#elif TFG_NN_HAS_MVE
  convolve_mve(conv_params, input_dims, input, filter, &requant, output_dims, output, (int8_t *)ctx->buf);
  return TFG_OK;
#endif
#if !TFG_NN_HAS_MVE
  convolve_plain(sh, sw, input_dims, input, filter_dims, filter, &requant, output_dims, output);
  return TFG_OK;
#endif
}
