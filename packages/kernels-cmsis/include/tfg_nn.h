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
/** DSP path: the input widened to int16 once per batch row, 2 * (depth rounded down to 8) bytes, word aligned. */
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

#ifdef __cplusplus
}
#endif

#endif /* TFG_NN_H */
