/*
 * Generic int8 convolution, any stride, padding and dilation: gather the receptive fields of a block of output
 * pixels (im2col, padding filled with the input zero point so that it contributes nothing), then one GEMM of the
 * block against all filters. With the DSP extension (no Helium) the block goes through the pixel-pair GEMM
 * (tfg_nn_pair_gemm_s8.c), which widens each pair of columns once and reads the int8 weights directly; first
 * layers (1-3 input channels, small receptive fields) take tfg_convolve_few_channels_s8.c. Helium stages four
 * fields at a time straight into its GEMM's interleaved block (tfg_nn_mve_s8.c), a row of taps per copy.
 */
#include "../support/tfg_nn_dsp.h"
#include "../support/tfg_nn_support.h"

#include <string.h>

#define TFG_CONV_PAIRS (TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE)

/* The DSP path: the im2col block (TFG_CONV_BLOCK_ROWS output pixels, tfg_nn.h), then the pixel-pair GEMM's widened
   pair; its first-layer convolution may decline at run time (a requantization its records cannot hold): room for
   both. */
int32_t tfg_convolve_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  const int32_t generic = tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth) + tfg_nn_pair_gemm_s8_scratch_size(depth);
  return TFG_MAX(generic, tfg_convolve_few_channels_s8_scratch_size(input_dims, filter_dims));
}

/* Helium: four receptive fields staged for its GEMM (tfg_nn_mve_s8.c). */
int32_t tfg_convolve_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
  return tfg_nn_mve_block_size(filter_dims->h * filter_dims->w * input_dims->c);
}

int32_t tfg_convolve_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims) {
#if TFG_CONV_PAIRS
  return tfg_convolve_s8_get_buffer_size_dsp(input_dims, filter_dims);
#elif TFG_NN_HAS_MVE
  return tfg_convolve_s8_get_buffer_size_mve(input_dims, filter_dims);
#else
  /* Plain C: the im2col block, then the GEMM's own scratch (none). */
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  return tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth) + tfg_nn_gemm_s8_packed_size(depth);
#endif
}

#if !TFG_NN_HAS_MVE
static void im2col_pixel(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                         const tfg_dims *f, int32_t oy, int32_t ox, int8_t *col) {
  const int8_t pad_value = (int8_t)(-p->input_offset);
  const size_t row_bytes = (size_t)in->c;
  for (int32_t ky = 0; ky < f->h; ky++) {
    const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
    for (int32_t kx = 0; kx < f->w; kx++) {
      const int32_t ix = ox * p->stride.w - p->padding.w + kx * p->dilation.w;
      if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
        memset(col, pad_value, row_bytes);
      } else {
        memcpy(col, input_batch + (iy * in->w + ix) * in->c, row_bytes);
      }
      col += in->c;
    }
  }
}
#endif

#if TFG_NN_HAS_MVE
/* Fields of at most this many values that do not fall on chunk boundaries are gathered linearly first. */
#define MVE_LINEAR_FIELD 512

/*
 * One output pixel's receptive field into row `row` of the staged block, padding as the input zero point. With
 * dilation 1 the taps of a filter row that lie inside the input are one run of bytes: [begin, end) below. Channels a
 * multiple of 16 put every tap on a chunk boundary, so runs go straight into the block; other fields are gathered
 * into a linear row first and staged with one copy (first layers: 1-3 channels).
 */
static void stage_field(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f,
                        int32_t oy, int32_t ox, int32_t row, int8_t *block) {
  const int8_t pad_value = (int8_t)(-p->input_offset);
  const int32_t c = in->c, fw = f->w, row_taps = fw * c, depth = f->h * row_taps;
  const int32_t x0 = ox * p->stride.w - p->padding.w;
  const int32_t begin = TFG_MIN(TFG_MAX(-x0, 0), fw), end = TFG_MAX(TFG_MIN(in->w - x0, fw), begin);
  const int direct = c % TFG_MVE_CHUNK == 0;
  if (p->dilation.w != 1 || (!direct && depth > MVE_LINEAR_FIELD)) {
    /* Dilated or large unaligned fields: tap by tap, each split at chunk boundaries. */
    for (int32_t ky = 0; ky < f->h; ky++) {
      const int32_t iy = oy * p->stride.h - p->padding.h + ky * p->dilation.h;
      for (int32_t kx = 0; kx < fw; kx++) {
        const int32_t ix = x0 + kx * p->dilation.w, k = ky * row_taps + kx * c;
        if (iy < 0 || iy >= in->h || ix < 0 || ix >= in->w) {
          tfg_nn_mve_stage_fill(block, row, k, pad_value, c);
        } else {
          tfg_nn_mve_stage(block, row, k, input_batch + (iy * in->w + ix) * c, c);
        }
      }
    }
    return;
  }
  int8_t *staged = block + row * TFG_MVE_CHUNK;
  const int32_t y_first = oy * p->stride.h - p->padding.h, dy = p->dilation.h;
  const int8_t *run = input_batch + (y_first * in->w + x0 + begin) * c;
  const int32_t run_bytes = (end - begin) * c, left = begin * c, right = (fw - end) * c, y_step = dy * in->w * c;
  if (direct) {
    /* Chunk groups per filter row, and within it the run's first and the right padding's first chunk. */
    const int32_t row_groups = row_taps / TFG_MVE_CHUNK * TFG_MVE_CHUNK_GROUP;
    const int32_t left_groups = left / TFG_MVE_CHUNK * TFG_MVE_CHUNK_GROUP;
    const int32_t right_groups = (left + run_bytes) / TFG_MVE_CHUNK * TFG_MVE_CHUNK_GROUP;
    for (int32_t ky = 0, iy = y_first; ky < f->h; ky++, iy += dy, staged += row_groups, run += y_step) {
      if (iy < 0 || iy >= in->h || run_bytes == 0) {
        tfg_nn_mve_fill_chunks(staged, pad_value, row_taps);
        continue;
      }
      if (left > 0) tfg_nn_mve_fill_chunks(staged, pad_value, left);
      tfg_nn_mve_stage_chunks(staged + left_groups, run, run_bytes);
      if (right > 0) tfg_nn_mve_fill_chunks(staged + right_groups, pad_value, right);
    }
    return;
  }
  int8_t linear[MVE_LINEAR_FIELD];
  int8_t *dst = linear;
  for (int32_t ky = 0, iy = y_first; ky < f->h; ky++, iy += dy, dst += row_taps, run += y_step) {
    if (iy < 0 || iy >= in->h || run_bytes == 0) {
      tfg_nn_mve_fill(dst, pad_value, row_taps);
      continue;
    }
    if (left > 0) tfg_nn_mve_fill(dst, pad_value, left);
    tfg_nn_mve_copy(dst + left, run, run_bytes);
    if (right > 0) tfg_nn_mve_fill(dst + left + run_bytes, pad_value, right);
  }
  tfg_nn_mve_stage_chunks(staged, linear, depth);
}

/* Four output pixels at a time through the Helium GEMM. */
static void convolve_mve(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch, const tfg_dims *f,
                         const int8_t *filter, const tfg_nn_requant *requant, int all_right, const tfg_dims *out,
                         int8_t *output_batch, int8_t *block) {
  const int32_t pixels = out->h * out->w, channels = out->c, depth = f->h * f->w * in->c;
  int32_t out_rows[TFG_MVE_BLOCK_ROWS];
  int32_t oy = 0, ox = 0;
  for (int32_t first = 0; first < pixels; first += TFG_MVE_BLOCK_ROWS) {
    const int32_t rows = TFG_MIN(TFG_MVE_BLOCK_ROWS, pixels - first);
    for (int32_t r = 0; r < TFG_MVE_BLOCK_ROWS; r++) {
      /* Past the last pixel the last one again: the same bytes to the same place. */
      if (r < rows) {
        stage_field(p, in, input_batch, f, oy, ox, r, block);
        if (++ox == out->w) {
          ox = 0;
          oy++;
        }
      } else {
        memcpy(block + r * TFG_MVE_CHUNK, block + (rows - 1) * TFG_MVE_CHUNK, TFG_MVE_CHUNK);
        for (int32_t j = 1; j * TFG_MVE_CHUNK < depth; j++) {
          memcpy(block + j * TFG_MVE_CHUNK_GROUP + r * TFG_MVE_CHUNK,
                 block + j * TFG_MVE_CHUNK_GROUP + (rows - 1) * TFG_MVE_CHUNK, TFG_MVE_CHUNK);
        }
      }
      out_rows[r] = TFG_MIN(r, rows - 1) * channels;
    }
    tfg_nn_mve_gemm_rows(block, filter, channels, depth, requant, all_right, output_batch + first * channels,
                         out_rows);
  }
}
#endif

#if TFG_CONV_PAIRS
/* Every batch through the first-layer path, when it takes the layer (it declines before writing anything). */
static int convolve_few_channels(const tfg_conv_params *p, const tfg_per_channel_quant_params *q, const tfg_dims *in,
                                 const int8_t *input, const tfg_dims *f, const int8_t *filter, const int32_t *bias,
                                 const tfg_dims *out, int8_t *output, int32_t *scratch) {
  if (tfg_convolve_few_channels_s8_scratch_size(in, f) == 0) {
    return 0;
  }
  for (int32_t b = 0; b < in->n; b++) {
    if (!tfg_convolve_few_channels_s8(p, q, in, input + b * in->h * in->w * in->c, f, filter, bias, out,
                                      output + b * out->h * out->w * out->c, scratch)) {
      return 0;
    }
  }
  return 1;
}

/* Input channels a multiple of 4: no int8 im2col; pixel pairs in increasing order, each field widened directly. */
static void convolve_widened_pairs(const tfg_conv_params *p, const tfg_dims *in, const int8_t *input_batch,
                                   const tfg_dims *f, const int8_t *filter, const tfg_nn_requant *requant, int all_fast,
                                   const tfg_dims *out, int8_t *output_batch, int32_t *widened) {
  const int32_t pixels = out->h * out->w, channels = out->c, depth = f->h * f->w * in->c;
  tfg_nn_field_geometry g;
  tfg_nn_field_geometry_init(&g, p, in, f, depth);
  for (int32_t first = 0; first < pixels; first += 2) {
    const int32_t second = first + 1 < pixels ? first + 1 : first;
    tfg_nn_widen_field(&g, input_batch, first / out->w, first % out->w, 0, widened, 0);
    tfg_nn_widen_field(&g, input_batch, second / out->w, second % out->w, 1, widened, 0);
    tfg_nn_pair_gemm_widened_s8(widened, filter, channels, depth, requant, all_fast, output_batch + first * channels,
                                output_batch + second * channels);
  }
}
#endif

tfg_status tfg_convolve_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                           const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                           const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                           const int32_t *bias, const tfg_dims *output_dims, int8_t *output) {
  if (filter_dims->c != input_dims->c || output_dims->c != filter_dims->n || output_dims->n != input_dims->n ||
      conv_params->stride.h < 1 || conv_params->stride.w < 1 || conv_params->dilation.h < 1 ||
      conv_params->dilation.w < 1) {
    return TFG_ARG_ERROR;
  }
  if (ctx == 0 || ctx->buf == 0 || ctx->size < tfg_convolve_s8_get_buffer_size(input_dims, filter_dims)) {
    return TFG_ARG_ERROR;
  }
  const int32_t channels = filter_dims->n;
  const int32_t pixels = output_dims->h * output_dims->w;
  const tfg_nn_requant requant = {bias, quant_params->multiplier, quant_params->shift, 1, conv_params->input_offset,
                                  conv_params->output_offset, conv_params->activation, conv_params->folded_bias};
#if TFG_NN_HAS_MVE
  const int all_right = tfg_nn_mve_all_right_shifts(quant_params->multiplier, quant_params->shift, channels);
  for (int32_t b = 0; b < input_dims->n; b++) {
    convolve_mve(conv_params, input_dims, input + b * input_dims->h * input_dims->w * input_dims->c, filter_dims,
                 filter, &requant, all_right, output_dims, output + b * pixels * channels, (int8_t *)ctx->buf);
  }
  return TFG_OK;
#else
  const int32_t depth = filter_dims->h * filter_dims->w * input_dims->c;
  int8_t *cols = (int8_t *)ctx->buf;
#if TFG_CONV_PAIRS
  /* The DSP loops widen the inputs with their offset; a folded bias (generated for Helium) goes through plain C. */
  const int pairs = !conv_params->folded_bias;
  int32_t *widened = (int32_t *)(void *)((int8_t *)ctx->buf + tfg_nn_align4(TFG_CONV_BLOCK_ROWS * depth));
  if (pairs && convolve_few_channels(conv_params, quant_params, input_dims, input, filter_dims, filter, bias,
                                     output_dims, output, (int32_t *)ctx->buf)) {
    return TFG_OK;
  }
  const int all_fast = tfg_nn_pair_gemm_s8_all_fast(&requant, channels);
#endif
  for (int32_t b = 0; b < input_dims->n; b++) {
    const int8_t *input_batch = input + b * input_dims->h * input_dims->w * input_dims->c;
    int8_t *output_batch = output + b * pixels * channels;
#if TFG_CONV_PAIRS
    if (pairs && input_dims->c % 4 == 0) {
      convolve_widened_pairs(conv_params, input_dims, input_batch, filter_dims, filter, &requant, all_fast, output_dims,
                             output_batch, widened);
      continue;
    }
#endif
    for (int32_t first = 0; first < pixels; first += TFG_CONV_BLOCK_ROWS) {
      const int32_t rows = TFG_MIN(TFG_CONV_BLOCK_ROWS, pixels - first);
      for (int32_t r = 0; r < rows; r++) {
        const int32_t pixel = first + r;
        im2col_pixel(conv_params, input_dims, input_batch, filter_dims, pixel / output_dims->w,
                     pixel % output_dims->w, cols + r * depth);
      }
      int8_t *out_block = output_batch + first * channels;
#if TFG_CONV_PAIRS
      if (pairs) {
        for (int32_t r = 0; r < rows; r += 2) {
          const int32_t r1 = r + 1 < rows ? r + 1 : r;
          tfg_nn_pair_gemm_s8(cols + r * depth, cols + r1 * depth, filter, channels, depth, &requant, all_fast,
                              out_block + r * channels, out_block + r1 * channels, widened);
        }
        continue;
      }
#endif
      tfg_nn_gemm_s8(cols, depth, rows, filter, channels, depth, &requant, out_block, channels, 0);
    }
  }
  return TFG_OK;
#endif
}
