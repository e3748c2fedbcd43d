/*
 * tinyforge int8 neural-network kernels: the one public header.
 *
 * Shaped like CMSIS-NN: parameter structs for geometry, quantization and activation bounds, a status return,
 * and a `_get_buffer_size` companion for every kernel that needs scratch memory (the caller owns all memory;
 * nothing here allocates). Arithmetic is bit-exact with TensorFlow Lite Micro's reference int8 kernels.
 *
 * Layouts follow TFLite: activations NHWC, conv filters OHWI, depthwise filters [1, H, W, C*M], fully
 * connected weights [out, in]. Offsets are added to raw int8 values: input_offset = -input_zero_point,
 * output_offset = +output_zero_point (as TFLite's kernels take them).
 *
 * Paths are chosen at compile time: plain C everywhere, SXTB16/SMLAD when __ARM_FEATURE_DSP is defined, and Helium
 * (convolution and fully connected GEMMs with VMLADAVA, depthwise, ADD) when __ARM_FEATURE_MVE has integer MVE
 * (Cortex-M55: -mcpu=cortex-m55). All paths produce identical bytes. Float kernels (quantize, dequantize,
 * concatenation's requantization) assume no FMA contraction: -ffp-contract=off, which -std=c99 implies.
 *
 * Requantization multipliers must be >= 0 (TFLite's QuantizeMultiplier always gives [0, 2^31)); shifts are
 * powers of two, positive = left. Scratch sizes depend on the path compiled in (the DSP path keeps int16-widened
 * inputs there), so size scratch with the _get_buffer_size of the same build. Where the size depends on the path,
 * _get_buffer_size_dsp and _get_buffer_size_mve give the DSP and Helium paths' sizes on any build (plain
 * arithmetic, as CMSIS-NN's); the unsuffixed function answers for the build's own path (plain C on the host).
 * Convolution outputs may overlap their input only as a row stream (output rows trailing the input rows they
 * come from), and one call still does the whole layer: the DSP path finishes output pixels in increasing order
 * (pairs whose inputs are widened into scratch first), Helium too (four at a time, staged in scratch first); plain C
 * runs an overlapping 1x1 layer one output row per GEMM. Depthwise finishes output rows in increasing order (the DSP path takes a block of rows 4 channels
 * at a time only when the addresses show their outputs cannot reach an input row still to be read), so output
 * row y may overwrite anything except the input rows that rows y-1, y, y+1, ... read.
 */
#ifndef TFG_NN_H
#define TFG_NN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  TFG_OK = 0,
  /** A parameter is out of the range the kernel supports (shape mismatch, missing scratch buffer). */
  TFG_ARG_ERROR = -1,
  /** The geometry is valid but this entry point does not implement it (e.g. 1x1 kernel given a 3x3 filter). */
  TFG_NO_IMPL_ERROR = -2
} tfg_status;

/** A 4-D shape: batches, height, width, channels (fully connected uses n = batches, c = features). */
typedef struct {
  int32_t n;
  int32_t h;
  int32_t w;
  int32_t c;
} tfg_dims;

/** A 2-D extent (stride, padding, dilation, filter size). */
typedef struct {
  int32_t w;
  int32_t h;
} tfg_tile;

/** Output clamp in the quantized domain (fused ReLU/ReLU6 or the int8 range). */
typedef struct {
  int32_t min;
  int32_t max;
} tfg_activation;

/** Caller-provided scratch memory; size as returned by the kernel's _get_buffer_size. */
typedef struct {
  void *buf;
  int32_t size;
} tfg_context;

/** One quantized multiplier (Q31) and power-of-two shift (positive = left), as TFLite's QuantizeMultiplier. */
typedef struct {
  int32_t multiplier;
  int32_t shift;
} tfg_per_tensor_quant_params;

/** One multiplier/shift per output channel. */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
} tfg_per_channel_quant_params;

typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  tfg_tile stride;
  /** Padding before (top/left); padding after follows from the output size. */
  tfg_tile padding;
  tfg_tile dilation;
  tfg_activation activation;
  /**
   * 0: bias is the layer's bias. 1: bias[c] = bias + input_offset * (sum of output channel c's filter weights), the
   * input offset folded in ahead of time (the code generator does this for Helium, whose GEMM and depthwise loops then
   * add no offset to the inputs). input_offset still gives the padding value. Every path gives the same bytes for
   * both forms (paths without a use for it take the folded form through plain C).
   */
  int32_t folded_bias;
} tfg_conv_params;

typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  /** Output channels per input channel (output c = input c * ch_mult). */
  int32_t ch_mult;
  tfg_tile stride;
  tfg_tile padding;
  tfg_tile dilation;
  tfg_activation activation;
  /** As tfg_conv_params: 1 when bias[c] holds bias + input_offset * (sum of channel c's weights over every tap). */
  int32_t folded_bias;
} tfg_dw_conv_params;

typedef struct {
  int32_t input_offset;
  /** -weight_zero_point; 0 for TFLite's symmetric int8 weights. */
  int32_t filter_offset;
  int32_t output_offset;
  tfg_activation activation;
  /** As tfg_conv_params: 1 when bias[c] holds bias + input_offset * (sum of row c's weights); filter_offset 0. */
  int32_t folded_bias;
  /**
   * 1: the filter's rows come in groups of TFG_FC_GROUP_ROWS, interleaved per 4 depth values (row 4g + r, depth 4s + j
   * at byte g * 4 * depth + 16 * s + 4 * r + j); rows past the last whole group follow as they are. The same bytes as
   * the [channels, depth] filter; needs depth % 4 == 0 and filter_offset 0. The code generator gives it to the DSP
   * path (Cortex-M4/M7/M33), where one LDM loads 4 weights of each of 4 rows; every path reads it.
   */
  int32_t interleaved;
} tfg_fc_params;

typedef struct {
  tfg_tile stride;
  tfg_tile padding;
  tfg_activation activation;
} tfg_pool_params;

/** TFLite's int8 ADD: both inputs scaled up by 2^left_shift, rescaled to a common scale, summed, rescaled. */
typedef struct {
  int32_t input1_offset;
  int32_t input1_multiplier;
  int32_t input1_shift;
  int32_t input2_offset;
  int32_t input2_multiplier;
  int32_t input2_shift;
  int32_t left_shift;
  int32_t output_offset;
  int32_t output_multiplier;
  int32_t output_shift;
  tfg_activation activation;
} tfg_add_params;

typedef struct {
  int32_t input1_offset;
  int32_t input2_offset;
  int32_t output_offset;
  int32_t output_multiplier;
  int32_t output_shift;
  tfg_activation activation;
} tfg_mul_params;

/** TFLite's int8 softmax: input (x - max) scaled by multiplier << left_shift into Q5.26; diff_min cuts off. */
typedef struct {
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
} tfg_softmax_params;

/* ---- scratch geometry ---------------------------------------------------------------------------------- */

/*
 * The constants the _get_buffer_size functions and tfg_convolve_packed_s8_filter_words are computed from. Code
 * elsewhere that sizes scratch ahead of time (the code generator's memory planner) reads them from this header
 * rather than copying them.
 */
/** Output pixels per im2col block of tfg_convolve_s8. */
#define TFG_CONV_BLOCK_ROWS 16
/** Depth values per widened step of the DSP paths: one word of int8, two int16 pairs per pixel. */
#define TFG_NN_WIDEN_STEP 4
/** Widest receptive field (kh * kw * input channels) the DSP path's first-layer convolution takes. */
#define TFG_CONV_FEW_MAX_DEPTH 32
/** Words of a channel pair's record besides its weights (4 bias, 6 requantization): first-layer records, packed filters. */
#define TFG_CONV_PAIR_RECORD_WORDS 10
/** Packed filters pad the receptive field's depth to a multiple of this. */
#define TFG_CONV_PACKED_DEPTH_STEP 8
/** Depth values per block of the fully connected DSP path; its widened input covers the whole blocks. */
#define TFG_FC_BLOCK_DEPTH 8
/** Rows per group of an interleaved fully connected filter (tfg_fc_params.interleaved). */
#define TFG_FC_GROUP_ROWS 4
/** Deepest input the fully connected DSP path widens to int16 in scratch (depth % 4 == 0); deeper, it reads the int8 input. */
#define TFG_FC_WIDEN_MAX_DEPTH 256
/** Rows (output pixels) the Helium convolution GEMM stages at a time, interleaved in chunks of 16 depth values. */
#define TFG_MVE_BLOCK_ROWS 4
/** Depth values per chunk of the Helium GEMM's staged rows (one vector of int8). */
#define TFG_MVE_CHUNK 16

/* ---- convolution ------------------------------------------------------------------------------------ */

/**
 * Any stride, padding, dilation: im2col into scratch, then an int8 GEMM. On the DSP path a first layer (input
 * channels not a multiple of 4, receptive field of at most 32 values) keeps its filters widened to int16 in
 * scratch with their requantization constants; the buffer size leaves room for that and for the generic path.
 */
tfg_status tfg_convolve_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                           const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                           const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                           const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_convolve_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);
int32_t tfg_convolve_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims);
int32_t tfg_convolve_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/** 1x1 filter, no padding, dilation 1: input pixels are the GEMM rows directly (no im2col for stride 1). */
tfg_status tfg_convolve_1x1_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                               const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                               const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_convolve_1x1_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);
int32_t tfg_convolve_1x1_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims);
int32_t tfg_convolve_1x1_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/**
 * Grouped convolution: filter_dims = {out_c, kh, kw, filter_c}, in_c / filter_c groups (out_c a multiple of them),
 * any stride, padding, dilation. Each group goes through tfg_convolve_wrapper_s8 on slabs in scratch (the group's
 * input channels, its output channels), so the scratch is both slabs plus the wrapper's on the group (required).
 */
tfg_status tfg_convolve_grouped_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                   const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                   const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                   const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_convolve_grouped_s8_get_buffer_size(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                const tfg_dims *filter_dims, const tfg_dims *output_dims);
int32_t tfg_convolve_grouped_s8_get_buffer_size_dsp(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims, const tfg_dims *output_dims);
int32_t tfg_convolve_grouped_s8_get_buffer_size_mve(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims, const tfg_dims *output_dims);

/** Picks the fastest convolution that supports the geometry. */
tfg_status tfg_convolve_wrapper_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                   const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                   const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                   const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_convolve_wrapper_s8_get_buffer_size(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                const tfg_dims *filter_dims);
int32_t tfg_convolve_wrapper_s8_get_buffer_size_dsp(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims);
int32_t tfg_convolve_wrapper_s8_get_buffer_size_mve(const tfg_conv_params *conv_params, const tfg_dims *input_dims,
                                                    const tfg_dims *filter_dims);

/*
 * Convolution with a filter packed ahead of time (by the code generator: packConvFilter in @tinyforge/kernels-cmsis)
 * for the DSP path, where it is the fastest convolution: weights doubled and widened to int16 pairs, so the inner
 * loop is two LDM and eight SMLAD per 16 multiply-accumulates, and each channel's requantization folded into three
 * constants, so an output costs ADD + SMMLAR + ASR + SSAT. Every target runs it (plain C elsewhere), bit-exact.
 *
 * Layout, int32 words, depth D = kh * kw * c_in padded with zeros to D8 (a multiple of 8), channels in pairs
 * (c0, c1) (an odd last channel pairs with a zero channel whose results are dropped); per pair, 10 + D8 words:
 *   2*bias[c0], 2*bias[c1], 2*bias[c0], 2*bias[c1]
 *   for each 4 depth values k..k+3: c0 (w[k], w[k+2]), c0 (w[k+1], w[k+3]), c1 (...), c1 (...)   int16 pairs of 2*w
 *   e0, e1, M0, M1, K0, K1       e = -shift (>= 1), M = multiplier, K = 2^(e-1) + output_offset * 2^e
 * The output is ((K + [acc < 0] * -1) + round(2 * acc * M / 2^32)) >> e, saturated and clamped: TFLite's double
 * rounding exactly, for the layers the packer accepts (every shift <= -1, accumulators and K within int32). So
 * conv_params->output_offset is already in K; the other parameters are used as usual.
 */
tfg_status tfg_convolve_packed_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                  const tfg_dims *input_dims, const int8_t *input, const tfg_dims *filter_dims,
                                  const int32_t *packed_filter, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_convolve_packed_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);
/** int32 words of a packed filter (the layout above). */
int32_t tfg_convolve_packed_s8_filter_words(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/*
 * The code generator gives convolutions packed filters only for cores with the DSP extension and without Helium,
 * where tfg_convolve_packed_s8 is the fastest convolution (packedConvPreferred in @tinyforge/kernels-cmsis makes
 * that choice, once, from the target's core). Generated code that calls it defines TFG_NN_PACKED_FILTERS before
 * including this header, so that a build for any other core stops here instead of running the packed kernel's
 * plain C. Tests that mean to run that plain C (on the host) define TFG_NN_PACKED_FILTERS_ANY_CORE too.
 */
#if defined(TFG_NN_PACKED_FILTERS) && !defined(TFG_NN_PACKED_FILTERS_ANY_CORE) && \
    (!defined(__ARM_FEATURE_DSP) || (defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)))
#error "this model was generated with packed convolution filters, for a core with the DSP extension and without Helium (Cortex-M4, M7, M33); generate it again for the core you build for (tinyforge codegen --board ...)"
#endif

/* ---- transposed convolution ------------------------------------------------------------------------- */

/*
 * TRANSPOSE_CONV (TFLite's reference_integer_ops::TransposeConv): filter_dims = {out_c, kh, kw, in_c} (OHWI), the
 * output size given, padding = where the windows start (pad_top / pad_left), dilation unused. Each output pixel
 * gathers its taps (the same bytes as the reference's scatter). int8: scratch for one pixel's taps as int16 with
 * the input offset (required; the same on every path). 16x8: symmetric int16 activations, int64 bias or NULL, no
 * scratch (conv_params' offsets unused).
 */
tfg_status tfg_transpose_conv_s8(const tfg_context *ctx, const tfg_conv_params *conv_params,
                                 const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                 const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_transpose_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/* ---- depthwise convolution ----------------------------------------------------------------------------- */

/** Any channel multiplier, stride, padding, dilation. filter_dims = {1, kh, kw, c * ch_mult}. */
tfg_status tfg_depthwise_conv_s8(const tfg_context *ctx, const tfg_dw_conv_params *dw_params,
                                 const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                                 const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
int32_t tfg_depthwise_conv_s8_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);
int32_t tfg_depthwise_conv_s8_get_buffer_size_dsp(const tfg_dims *input_dims, const tfg_dims *filter_dims);
/** Helium: one filter window of the input (kh * kw * channels bytes), where a border pixel is staged. */
int32_t tfg_depthwise_conv_s8_get_buffer_size_mve(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/* ---- fully connected ----------------------------------------------------------------------------------- */

/** input_dims = {batches, 1, 1, in_features}; filter_dims = {in_features, 1, 1, out_features} (n = accumulation depth). */
tfg_status tfg_fully_connected_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                  const tfg_per_tensor_quant_params *quant_params, const tfg_dims *input_dims,
                                  const int8_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                                  const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
tfg_status tfg_fully_connected_per_channel_s8(const tfg_context *ctx, const tfg_fc_params *fc_params,
                                              const tfg_per_channel_quant_params *quant_params,
                                              const tfg_dims *input_dims, const int8_t *input,
                                              const tfg_dims *filter_dims, const int8_t *filter,
                                              const int32_t *bias, const tfg_dims *output_dims, int8_t *output);
/**
 * DSP path: the input widened to int16 once per batch row, word aligned: depth % 4 == 0, 2 * depth bytes up to
 * TFG_FC_WIDEN_MAX_DEPTH and none deeper (the int8 input is read directly); else 2 * (depth rounded down to 8).
 */
int32_t tfg_fully_connected_s8_get_buffer_size(const tfg_dims *filter_dims);
int32_t tfg_fully_connected_s8_get_buffer_size_dsp(const tfg_dims *filter_dims);
int32_t tfg_fully_connected_s8_get_buffer_size_mve(const tfg_dims *filter_dims);

/* ---- pooling ------------------------------------------------------------------------------------------- */

/** Average over the in-bounds part of each window (padding not counted), rounded half away from zero. */
tfg_status tfg_avgpool_s8(const tfg_context *ctx, const tfg_pool_params *pool_params, const tfg_dims *input_dims,
                          const int8_t *input, const tfg_dims *filter_dims, const tfg_dims *output_dims,
                          int8_t *output);
int32_t tfg_avgpool_s8_get_buffer_size(const tfg_dims *output_dims);

tfg_status tfg_maxpool_s8(const tfg_context *ctx, const tfg_pool_params *pool_params, const tfg_dims *input_dims,
                          const int8_t *input, const tfg_dims *filter_dims, const tfg_dims *output_dims,
                          int8_t *output);

/* ---- element-wise -------------------------------------------------------------------------------------- */

/**
 * Broadcasting add/mul over 4-D shapes: every input dimension equals the output's or is 1 (numpy rules after
 * right-aligning to rank 4).
 */
tfg_status tfg_elementwise_add_s8(const tfg_add_params *params, const tfg_dims *input1_dims, const int8_t *input1,
                                  const tfg_dims *input2_dims, const int8_t *input2, const tfg_dims *output_dims,
                                  int8_t *output);
tfg_status tfg_elementwise_mul_s8(const tfg_mul_params *params, const tfg_dims *input1_dims, const int8_t *input1,
                                  const tfg_dims *input2_dims, const int8_t *input2, const tfg_dims *output_dims,
                                  int8_t *output);

/* ---- softmax / reshape --------------------------------------------------------------------------------- */

/** Softmax over the last dimension (row_size) of num_rows rows; int8 output with scale 1/256, zero point -128. */
tfg_status tfg_softmax_s8(const tfg_softmax_params *params, int32_t num_rows, int32_t row_size,
                          const int8_t *input, int8_t *output);

/** A reshape moves no data; this copies only when the output is a different buffer. */
tfg_status tfg_reshape_s8(const int8_t *input, int8_t *output, int32_t size);

/* ---- one-input element-wise (table) ------------------------------------------------------------------- */

/**
 * output[i] = table[input[i] + 128]. Logistic, tanh, hard-swish, ReLU, ReLU6, leaky ReLU, clip and int8 -> int8
 * requantization are all this kernel with a 256-entry table computed at generation time with TFLite's integer
 * arithmetic. In-place (output == input) is allowed.
 */
tfg_status tfg_lut_s8(const int8_t *table, int32_t size, const int8_t *input, int8_t *output);

/* ---- quantize / dequantize ----------------------------------------------------------------------------- */

/** TFLite's AffineQuantize: round_half_away(x / scale) + zero_point, float32 division, saturated to int8. */
tfg_status tfg_quantize_f32_s8(const float *input, int32_t size, float scale, int32_t zero_point, int8_t *output);
/** scale * (q - zero_point) computed in double, stored as float32. */
tfg_status tfg_dequantize_s8_f32(const int8_t *input, int32_t size, float scale, int32_t zero_point, float *output);

/* ---- layout: pad, transpose, concatenation ------------------------------------------------------------- */

/** Constant pad of a 4-D tensor: pad_before gives the leading pad per axis; the rest follows from output_dims. */
tfg_status tfg_pad_s8(const tfg_dims *input_dims, const int8_t *input, const tfg_dims *pad_before,
                      const tfg_dims *output_dims, int8_t fill, int8_t *output);

/** Output axis i is input axis perm[i] (0 = n ... 3 = c); lower-rank tensors are right-aligned to 4-D. */
tfg_status tfg_transpose_s8(const tfg_dims *input_dims, const int8_t *input, const int32_t *perm, int8_t *output);

/** One concatenation input: `row` bytes per outer step, requantized as round(q * scale + bias) when flagged. */
typedef struct {
  const int8_t *data;
  int32_t row;
  int32_t requantize;
  float scale;
  float bias;
} tfg_concat_input;

/** `outer` steps; each writes every input's row in order. Output must not overlap an input. */
tfg_status tfg_concatenation_s8(const tfg_concat_input *inputs, int32_t num_inputs, int32_t outer,
                                int32_t output_offset, int8_t *output);

/* ---- reduction ----------------------------------------------------------------------------------------- */

typedef struct {
  /** Bit 3 = n, 2 = h, 1 = w, 0 = c: the axes averaged over. */
  int32_t axes_mask;
  int32_t input_offset;
  int32_t output_offset;
  /** Input scale / output scale as a TFLite multiplier and shift. */
  int32_t multiplier;
  int32_t shift;
} tfg_mean_params;

/** Output holds the kept axes in order (the reduced ones have extent 1). */
tfg_status tfg_mean_s8(const tfg_mean_params *params, const tfg_dims *input_dims, const int8_t *input,
                       int8_t *output);

/* ---- 16-bit activations (int16x8) ---------------------------------------------------------------------- */

/*
 * TFLite's 16x8 quantization: int16 activations with zero point 0, int8 weights with zero point 0, int64 biases
 * (or int32 where TFLite Micro allows it). The int64 path rescales with TFLite's 64-bit MultiplyByQuantizedMultiplier
 * (the multiplier rounded to 16 bits, one rounding shift); the int32 path accumulates in a wrapping int32 and
 * rescales as the int8 kernels do. The DSP path multiplies int16 input pairs with SMLAD/SMLALD directly (only
 * the int8 weights are widened, in registers) and gives the same bytes as plain C.
 */

/** A 16x8 layer's bias: an int64 array, or an int32 one (wrapping int32 accumulator), or neither (no bias). */
typedef struct {
  const int64_t *b64;
  const int32_t *b32;
} tfg_bias_s16;

/**
 * filter_dims = {out_c, kh, kw, filter_c}; input channels split into in_c / filter_c groups (1: plain conv). Scratch:
 * one receptive field of int16 (the same on every path); with less, the kernel runs tap by tap (same bytes).
 */
tfg_status tfg_convolve_s16(const tfg_context *ctx, const tfg_conv_params *conv_params,
                            const tfg_per_channel_quant_params *quant_params, const tfg_dims *input_dims,
                            const int16_t *input, const tfg_dims *filter_dims, const int8_t *filter,
                            const tfg_bias_s16 *bias, const tfg_dims *output_dims, int16_t *output);
int32_t tfg_convolve_s16_get_buffer_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);

/** TRANSPOSE_CONV 16x8 (see tfg_transpose_conv_s8): int64 bias or NULL, as TFLite's int16 reference. */
tfg_status tfg_transpose_conv_s16(const tfg_conv_params *conv_params, const tfg_per_channel_quant_params *quant_params,
                                  const tfg_dims *input_dims, const int16_t *input, const tfg_dims *filter_dims,
                                  const int8_t *filter, const int64_t *bias, const tfg_dims *output_dims,
                                  int16_t *output);

/** filter_dims = {1, kh, kw, c * ch_mult}; int64 bias (or none), as TFLite Micro's int16 depthwise. */
tfg_status tfg_depthwise_conv_s16(const tfg_dw_conv_params *dw_params, const tfg_per_channel_quant_params *quant_params,
                                  const tfg_dims *input_dims, const int16_t *input, const tfg_dims *filter_dims,
                                  const int8_t *filter, const int64_t *bias, const tfg_dims *output_dims,
                                  int16_t *output);

/** Weights [out, in]; one multiplier per output (equal for per-tensor weights). */
tfg_status tfg_fully_connected_s16(const tfg_per_channel_quant_params *quant_params, const tfg_activation *activation,
                                   int32_t batches, int32_t depth, int32_t out_features, const int16_t *input,
                                   const int8_t *filter, const tfg_bias_s16 *bias, int16_t *output);

/** ADD / SUB on int16 with broadcasting (left_shift 15 in the params), TFLite's general requantization. */
tfg_status tfg_elementwise_add_s16(const tfg_add_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output);
tfg_status tfg_elementwise_sub_s16(const tfg_add_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output);
tfg_status tfg_elementwise_mul_s16(const tfg_mul_params *params, const tfg_dims *input1_dims, const int16_t *input1,
                                   const tfg_dims *input2_dims, const int16_t *input2, const tfg_dims *output_dims,
                                   int16_t *output);

/** LEAKY_RELU on int8 or int16 (element_bytes 1 or 2): identity and alpha rescales (alpha_sign -1 for alpha < 0). */
typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  int32_t identity_multiplier;
  int32_t identity_shift;
  int32_t alpha_multiplier;
  int32_t alpha_shift;
  int32_t alpha_sign;
  int32_t element_bytes;
} tfg_leaky_relu_params;
tfg_status tfg_leaky_relu(const tfg_leaky_relu_params *params, int32_t size, const void *input, void *output);

/** int16 LOGISTIC / TANH (Q0.15 out): input_multiplier 0 takes the power-of-two path with input_left_shift. */
tfg_status tfg_logistic_s16(int32_t size, int32_t input_multiplier, int32_t input_left_shift, const int16_t *input,
                            int16_t *output);
tfg_status tfg_tanh_s16(int32_t size, int32_t input_multiplier, int32_t input_left_shift, const int16_t *input,
                        int16_t *output);

/** int16 SOFTMAX (TFLite's SoftmaxInt16): exp and 1/(1+x) through 513-entry tables made by LUTPopulate<int16_t>. */
tfg_status tfg_softmax_s16(int32_t input_multiplier, int32_t input_shift, int32_t num_rows, int32_t row_size,
                           const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut, const int16_t *input,
                           int16_t *output);
/** int8 -> int16 SOFTMAX (output scale 2^-16, zero point -32768), the int8 kernel's fixed-point exp. */
tfg_status tfg_softmax_s8_s16(const tfg_softmax_params *params, int32_t num_rows, int32_t row_size,
                              const int8_t *input, int16_t *output);

/** Average and max pooling on int16 (the int8 kernels' arithmetic). */
tfg_status tfg_avgpool_s16(const tfg_pool_params *pool_params, const tfg_dims *input_dims, const int16_t *input,
                           const tfg_dims *filter_dims, const tfg_dims *output_dims, int16_t *output);
tfg_status tfg_maxpool_s16(const tfg_pool_params *pool_params, const tfg_dims *input_dims, const int16_t *input,
                           const tfg_dims *filter_dims, const tfg_dims *output_dims, int16_t *output);

/** MEAN on int16: multiplier and shift already fold 1 / count in (TFLite Micro's QuantizedMeanOrSum). */
tfg_status tfg_mean_s16(const tfg_mean_params *params, const tfg_dims *input_dims, const int16_t *input,
                        int16_t *output);

/** QUANTIZE between integer types (int8, int16, int32: 1, 2 or 4 bytes), TFLite's requantization. */
typedef struct {
  int32_t input_bytes;
  int32_t input_offset;
  int32_t multiplier;
  int32_t shift;
  int32_t output_bytes;
  int32_t output_offset;
  int32_t min;
  int32_t max;
} tfg_requantize_params;
tfg_status tfg_requantize(const tfg_requantize_params *params, int32_t size, const void *input, void *output);
/** float32 <-> int16 (the int8 kernels' arithmetic, int16 saturation). */
tfg_status tfg_quantize_f32_s16(const float *input, int32_t size, float scale, int32_t zero_point, int16_t *output);
tfg_status tfg_dequantize_s16_f32(const int16_t *input, int32_t size, float scale, int32_t zero_point, float *output);

/* ---- layout for any element size ------------------------------------------------------------------------ */

/** Constant pad of a 4-D tensor of element_bytes-byte elements, each padded element set to `fill`. */
tfg_status tfg_pad(const tfg_dims *input_dims, const void *input, const tfg_dims *pad_before, const tfg_dims *output_dims,
                   int32_t element_bytes, int32_t fill, void *output);

/** STRIDED_SLICE of a 4-D tensor: output index i along axis d reads input begin[d] + i * stride[d]. */
typedef struct {
  tfg_dims begin;
  tfg_dims stride;
  int32_t element_bytes;
} tfg_slice_params;
tfg_status tfg_strided_slice(const tfg_slice_params *params, const tfg_dims *input_dims, const void *input,
                             const tfg_dims *output_dims, void *output);

/** TRANSPOSE of a 4-D tensor of element_bytes-byte elements: output axis i is input axis perm[i]. */
tfg_status tfg_transpose(const tfg_dims *input_dims, const void *input, const int32_t *perm, int32_t element_bytes,
                         void *output);

/**
 * CONCATENATION of int16 (element_bytes 2) or 4-byte (int32, float32: copied) tensors; each input's `row` counts
 * elements here. int16 inputs with other quantization are requantized as the int8 kernel does (int16 saturation).
 */
tfg_status tfg_concatenation(const tfg_concat_input *inputs, int32_t num_inputs, int32_t outer, int32_t output_offset,
                             int32_t element_bytes, void *output);

/* ---- float32 ------------------------------------------------------------------------------------------- */

/*
 * The float kernels of float models (TFLite's reference float arithmetic): products summed in double, rounded
 * to float32 once per output, then the float32 bias; softmax and the recurrent gates use double exp/tanh.
 */
tfg_status tfg_fully_connected_f32(int32_t batches, int32_t depth, int32_t out_features, float act_min, float act_max,
                                   const float *input, const float *filter, const float *bias, float *output);
tfg_status tfg_softmax_f32(float beta, int32_t num_rows, int32_t row_size, const float *input, float *output);

/* ---- recurrent layers ---------------------------------------------------------------------------------- */

/*
 * Sequence ops keep their state in buffers the caller owns (the code generator's state region): persistent
 * state carries from one call to the next. The input is [time, batch, features] (time_major) or
 * [batch, time, features]; time-major runs every batch row at each step, batch-major each row through all steps
 * with its own state slice (TFLite Micro's LstmStepManager).
 */
typedef struct {
  int32_t time_major;
  int32_t d0;
  int32_t d1;
  int32_t input_size;
  int32_t units;
} tfg_sequence_dims;

/** One integer gate's fully connected layer into Q3.12: int8 input (int32 bias) or int16 input (int64 bias). */
typedef struct {
  const int8_t *weights;
  const int32_t *bias32;
  const int64_t *bias64;
  int32_t input_offset;
  int32_t multiplier;
  int32_t shift;
} tfg_gate_fc;

/** A product of two int16 vectors with one effective scale (TFLite's MulElementwise), then the output offset. */
typedef struct {
  int32_t multiplier;
  int32_t shift;
  int32_t output_offset;
  int32_t min;
  int32_t max;
} tfg_gate_mul;

/** The integer LSTM (TFLite Micro's lstm_eval): gates in the order input, forget, cell, output. */
typedef struct {
  tfg_sequence_dims dims;
  /** 1: int8 input/hidden/output; 2: int16 (16x8). */
  int32_t activation_bytes;
  tfg_gate_fc input_fc[4];
  tfg_gate_fc recurrent_fc[4];
  tfg_gate_mul forget_times_cell;
  tfg_gate_mul input_times_cell_gate;
  tfg_gate_mul hidden;
  /** Clip of the cell state in its units, 0 for none. */
  int32_t cell_clip;
  /** Tanh of the cell state: input multiplier (0 or 3) and shift. */
  int32_t cell_tanh_multiplier;
  int32_t cell_tanh_shift;
} tfg_lstm_params;
/** scratch: 5 int16 vectors of max_rows * units. */
int32_t tfg_lstm_s8_get_buffer_size(const tfg_sequence_dims *dims);
tfg_status tfg_lstm_s8(const tfg_context *ctx, const tfg_lstm_params *params, const void *input, void *hidden_state,
                       int16_t *cell_state, void *output);

/** Float LSTM; weights [units, input] / [units, units], biases [units]; cell_clip 0 for none. */
typedef struct {
  tfg_sequence_dims dims;
  const float *input_weights[4];
  const float *recurrent_weights[4];
  const float *bias[4];
  float cell_clip;
} tfg_lstm_f32_params;
/** scratch: 4 float vectors of max_rows * units. */
int32_t tfg_lstm_f32_get_buffer_size(const tfg_sequence_dims *dims);
tfg_status tfg_lstm_f32(const tfg_context *ctx, const tfg_lstm_f32_params *params, const float *input,
                        float *hidden_state, float *cell_state, float *output);

/** tinyforge's integer GRU: int8 input/output, int16 Q0.15 hidden state; gates update, reset, candidate. */
typedef struct {
  tfg_sequence_dims dims;
  int32_t linear_before_reset;
  tfg_gate_fc input_fc[3];
  tfg_gate_fc recurrent_fc[3];
  tfg_gate_mul reset_times_recurrent;
  tfg_gate_mul reset_times_hidden;
  tfg_gate_mul gate_times_state;
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t output_offset;
} tfg_gru_params;
/** scratch: 5 int16 vectors and one int32 vector of max_rows * units. */
int32_t tfg_gru_s8_get_buffer_size(const tfg_sequence_dims *dims);
tfg_status tfg_gru_s8(const tfg_context *ctx, const tfg_gru_params *params, const int8_t *input, int16_t *hidden_state,
                      int8_t *output);

typedef struct {
  tfg_sequence_dims dims;
  int32_t linear_before_reset;
  const float *input_weights[3];
  const float *recurrent_weights[3];
  const float *input_bias[3];
  const float *recurrent_bias[3];
} tfg_gru_f32_params;
/** scratch: 5 float vectors of max_rows * units. */
int32_t tfg_gru_f32_get_buffer_size(const tfg_sequence_dims *dims);
tfg_status tfg_gru_f32(const tfg_context *ctx, const tfg_gru_f32_params *params, const float *input,
                       float *hidden_state, float *output);

/** SVDF sizes: state is [batch, filters, memory], filters = units * rank. */
typedef struct {
  int32_t batch;
  int32_t input_size;
  int32_t filters;
  int32_t memory;
  int32_t rank;
} tfg_svdf_dims;

/** Integer SVDF (TFLite Micro's svdf_common): int8 in/out, int16 or int8 (state_bytes) time weights and state. */
typedef struct {
  tfg_svdf_dims dims;
  int32_t input_offset;
  int32_t state_bytes;
  int32_t state_zero_point;
  int32_t feature_multiplier;
  int32_t feature_shift;
  int32_t output_multiplier;
  int32_t output_shift;
  int32_t output_offset;
} tfg_svdf_params;
/** scratch: `filters` int32 values. */
int32_t tfg_svdf_s8_get_buffer_size(const tfg_svdf_dims *dims);
tfg_status tfg_svdf_s8(const tfg_context *ctx, const tfg_svdf_params *params, const int8_t *input, void *state,
                       const int8_t *weights_feature, const void *weights_time, const int32_t *bias, int8_t *output);
/** Float SVDF; bias may be NULL. */
tfg_status tfg_svdf_f32(const tfg_svdf_dims *dims, float act_min, float act_max, const float *input, float *state,
                        const float *weights_feature, const float *weights_time, const float *bias, float *output);

/* TFLite Micro's Signal library ops (the micro_speech audio front end): plain integers, no quantization. */
tfg_status tfg_signal_window(const int16_t *input, const int16_t *window, int32_t size, int32_t frame, int32_t shift,
                             int16_t *output);
tfg_status tfg_signal_fft_scale_bits(const int16_t *input, int32_t size, int32_t *scale_bits);
tfg_status tfg_signal_fft_auto_scale(const int16_t *input, const int32_t *scale_bits, int32_t size, int16_t *output);
/** The int16 real FFT (KISS FFT fixed point): twiddles for fft_length / 2 points and fft_length / 4 super twiddles,
 * (re, im) pairs; factors as (radix, remaining) pairs of fft_length / 2 (radix 4 or 2). */
typedef struct {
  int32_t fft_length;
  int32_t frame;
  int32_t frames;
  const int16_t *twiddles;
  const int16_t *super_twiddles;
  const int32_t *factors;
} tfg_signal_rfft_params;
tfg_status tfg_signal_rfft(const tfg_signal_rfft_params *params, const int16_t *input, int16_t *output);
tfg_status tfg_signal_energy(const int16_t *input, int32_t bins, int32_t start, int32_t end, uint32_t *output);
typedef struct {
  int32_t num_channels;
  const int16_t *weights;
  const int16_t *unweights;
  const int16_t *frequency_starts;
  const int16_t *weight_starts;
  const int16_t *widths;
} tfg_signal_filter_bank_params;
tfg_status tfg_signal_filter_bank(const tfg_signal_filter_bank_params *params, const uint32_t *input, uint64_t *output);
tfg_status tfg_signal_filter_bank_sqrt(const uint64_t *input, const int32_t *scale_bits, int32_t size, uint32_t *output);
typedef struct {
  uint32_t smoothing;
  uint32_t one_minus_smoothing;
  uint32_t alternate_smoothing;
  uint32_t alternate_one_minus_smoothing;
  uint32_t min_signal_remaining;
  int32_t smoothing_bits;
  int32_t spectral_subtraction_bits;
  int32_t clamping;
} tfg_signal_noise_params;
tfg_status tfg_signal_noise_estimate(const tfg_signal_noise_params *params, const uint32_t *input, uint32_t *state,
                                     int32_t size, uint32_t *output);
tfg_status tfg_signal_spectral_subtraction(const tfg_signal_noise_params *params, const uint32_t *input,
                                           const uint32_t *noise, int32_t size, uint32_t *output);
tfg_status tfg_signal_pcan(const uint32_t *input, const uint32_t *noise, const int16_t *gain_lut, int32_t size,
                           int32_t snr_shift, uint32_t *output);
/** log_lut: the 130-entry log2 fraction table (log2(1 + i/128) - i/128 in 1/65536 units, then 0). */
tfg_status tfg_signal_filter_bank_log(const uint32_t *input, int32_t size, int32_t correction_bits, int32_t output_scale,
                                      const uint16_t *log_lut, int16_t *output);
/* A feature window (op state, rows x row_bytes): it moves up one row, `row` becomes its last row; output = window. */
tfg_status tfg_feature_window(const void *row, void *window, int32_t row_bytes, int32_t rows, void *output);

/* Plain int32 arithmetic (no quantization): b is broadcast when b_size is 1. op: 0 add, 1 sub, 2 mul, 3 div
 * (truncating; a zero divisor gives 0), 4 minimum, 5 maximum. */
tfg_status tfg_int32_binary(int32_t op, const int32_t *a, const int32_t *b, int32_t size, int32_t b_size, int32_t *output);
/** Element type conversion between int8, int16, int32 and uint32 (codes 1, 2, 4 signed; 5 = uint32), wrapping as C does. */
tfg_status tfg_cast_int(const void *input, int32_t from, void *output, int32_t to, int32_t size);

#ifdef __cplusplus
}
#endif

#endif /* TFG_NN_H */
