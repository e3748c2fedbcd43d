/*
 * Internal helpers shared by the kernels: TFLite's fixed-point requantization and the int8 GEMM every
 * convolution and fully connected layer reduces to. Not part of the public API.
 */
#ifndef TFG_NN_SUPPORT_H
#define TFG_NN_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include "tfg_nn.h"

#define TFG_MAX(a, b) ((a) > (b) ? (a) : (b))
#define TFG_MIN(a, b) ((a) < (b) ? (a) : (b))

/* High 32 bits of 2*a*b, rounded to nearest (ties away from zero), saturated for INT32_MIN * INT32_MIN. */
static inline int32_t tfg_nn_doubling_high_mult(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX;
  }
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 division truncates toward zero, which is what the rounding rule above is built for. */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t tfg_nn_divide_by_power_of_two(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * The same double rounding in one 64-bit multiply-accumulate, for right shifts rs >= 2 (every layer of the MLPerf
 * models): with D = x * m, TFLite's result is floor((D + 2^30 + 2^(30+rs) - [x < 0] * 2^31) / 2^(31+rs)) (the
 * nudge, then round-half-away-from-zero as a bias of 2^(rs-1) minus one for negatives, folded under one floor;
 * testing x < 0 instead of the intermediate's sign only differs where that intermediate is 0, and then both
 * give 0). The addend is built from the sign word t = x >> 31: low word 2^30 + t * 2^31 (no carry), high word
 * round_hi + t, so one SMLAL and one shift of the high word finish it. Nothing can overflow: |D| < 2^62.
 */
typedef struct {
  int32_t multiplier;
  /* 2^(rs-2) */
  int32_t round_hi;
  /* rs - 1 */
  int32_t post_shift;
} tfg_nn_fast_quant;

static inline int tfg_nn_fast_quant_init(int32_t multiplier, int32_t shift, tfg_nn_fast_quant *fq) {
  if (shift > -2 || shift < -31) {
    return 0;
  }
  fq->multiplier = multiplier;
  fq->round_hi = (int32_t)1 << (-shift - 2);
  fq->post_shift = -shift - 1;
  return 1;
}

static inline int32_t tfg_nn_requantize_fast(int32_t x, int32_t multiplier, int32_t round_hi, int32_t post_shift) {
  const int32_t t = x >> 31;
  const uint32_t lo = 0x40000000u + ((uint32_t)t << 31);
  const uint64_t addend = ((uint64_t)(uint32_t)(round_hi + t) << 32) | lo;
  const int64_t v = (int64_t)addend + (int64_t)x * multiplier;
  return (int32_t)(v >> 32) >> post_shift;
}

/*
 * TFLite's MultiplyByQuantizedMultiplier (gemmlowp's two roundings), for multiplier >= 0 as QuantizeMultiplier
 * always produces. With a non-negative multiplier the saturating case of the high multiply cannot occur, and
 * its nudge-and-truncate rounding equals floor((x * m + 2^30) / 2^31) for either sign, which is one SMLAL.
 * The rounding right shift is split as q * 2^r + rem so that no intermediate can overflow.
 */
static inline int32_t tfg_nn_requantize(int32_t x, int32_t multiplier, int32_t shift) {
  if (shift <= -2 && shift >= -31) {
    return tfg_nn_requantize_fast(x, multiplier, (int32_t)1 << (-shift - 2), -shift - 1);
  }
  const int32_t left_shift = shift > 0 ? shift : 0;
  const int32_t right_shift = shift > 0 ? 0 : -shift;
  const int32_t scaled = (int32_t)((uint32_t)x << left_shift);
  const int64_t product = (int64_t)scaled * multiplier + ((int64_t)1 << 30);
  /* >> on a negative int64 is an arithmetic shift on every compiler this library targets (gcc, clang). */
  const int32_t high = (int32_t)(product >> 31);
  if (right_shift == 0) {
    return high;
  }
  /* Round half away from zero: subtract one from negative values, then round half up. */
  const int32_t biased = high + (high >> 31);
  const uint32_t mask = ((uint32_t)1 << right_shift) - 1u;
  const uint32_t rounded_rem = (((uint32_t)biased & mask) + ((uint32_t)1 << (right_shift - 1))) >> right_shift;
  return (biased >> right_shift) + (int32_t)rounded_rem;
}

/*
 * roundf (half away from zero) for float32, saturated to [-2^24, 2^24], without libm: the generated code links
 * no math library. x - trunc(x) is exact in float32, and every float of magnitude >= 2^23 is an integer.
 */
static inline int32_t tfg_nn_round_half_away_f32(float x) {
  if (!(x > -16777216.0f)) return x != x ? 0 : -16777216;
  if (x > 16777216.0f) return 16777216;
  const int32_t t = (int32_t)x;
  const float frac = x - (float)t;
  return frac >= 0.5f ? t + 1 : frac <= -0.5f ? t - 1 : t;
}

static inline int8_t tfg_nn_clamp_s8(int32_t v, const tfg_activation *act) {
  return (int8_t)TFG_MIN(TFG_MAX(v, act->min), act->max);
}

/* Four int8 as one word (little-endian targets); memcpy compiles to a single LDR where unaligned access is
   allowed (Armv7-M and later), and stays correct C everywhere. */
static inline int32_t tfg_nn_read_s8x4(const int8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* The requantization of one GEMM output: per-channel (stride 1) or per-tensor (stride 0) multipliers. */
typedef struct {
  const int32_t *bias; /* may be NULL */
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t quant_stride;
  int32_t input_offset;
  int32_t output_offset;
  tfg_activation activation;
  /* 1: bias holds bias + input_offset * sum of the channel's weights (tfg_conv_params' folded_bias); the GEMMs then
     add no offset to the inputs. */
  int32_t folded;
} tfg_nn_requant;

static inline int8_t tfg_nn_requant_store(int32_t acc, int32_t c, const tfg_nn_requant *q) {
  const int32_t qi = c * q->quant_stride;
  if (q->bias != 0) {
    acc += q->bias[c];
  }
  return tfg_nn_clamp_s8(tfg_nn_requantize(acc, q->multiplier[qi], q->shift[qi]) + q->output_offset, &q->activation);
}

/*
 * out[r * out_stride + c] = requant(bias[c] + sum_k (lhs[r * lhs_stride + k] + input_offset) * rhs[c * depth + k])
 * for r < rows, c < channels: plain C and Helium (the DSP path's convolutions and fully connected layers have their
 * own loops). `packed` is unused scratch kept for the callers' signature (pass NULL).
 */
void tfg_nn_gemm_s8(const int8_t *lhs, int32_t lhs_stride, int32_t rows, const int8_t *rhs, int32_t channels,
                    int32_t depth, const tfg_nn_requant *requant, int8_t *out, int32_t out_stride, int16_t *packed);

/* Scratch bytes tfg_nn_gemm_s8 uses: 0 on every path (kept for its callers' size queries). */
int32_t tfg_nn_gemm_s8_packed_size(int32_t depth);

/*
 * The Helium convolution GEMM (tfg_nn_mve_s8.c), defined where TFG_NN_HAS_MVE. Rows are staged TFG_MVE_BLOCK_ROWS
 * at a time in a block of tfg_nn_mve_block_size(depth) bytes (scratch, word aligned): chunk j of row r at
 * j * 64 + r * 16. tfg_nn_mve_stage copies n values to depth position k of a row, tfg_nn_mve_stage_fill writes n
 * copies of a value (padding). tfg_nn_mve_gemm_rows then writes every channel of the four rows: row r's channel c
 * at out + out_rows[r] + c (a row given twice must have been staged twice with the same values). all_right: every
 * channel's shift is in -31..-1 or its multiplier 0 (tfg_nn_mve_all_right_shifts), the short requantization.
 */
void tfg_nn_mve_stage(int8_t *block, int32_t row, int32_t k, const int8_t *src, int32_t n);
void tfg_nn_mve_stage_fill(int8_t *block, int32_t row, int32_t k, int8_t value, int32_t n);
void tfg_nn_mve_gemm_rows(const int8_t *block, const int8_t *weights, int32_t channels, int32_t depth,
                          const tfg_nn_requant *requant, int all_right, int8_t *out, const int32_t out_rows[4]);
int tfg_nn_mve_all_right_shifts(const int32_t *multiplier, const int32_t *shift, int32_t channels);
/* folded[c] = bias[c] + input_offset * sum of row c of weights ([channels][depth]); bias may be NULL. */
void tfg_nn_mve_fold_bias(const int8_t *weights, int32_t depth, const int32_t *bias, int32_t input_offset,
                          int32_t channels, int32_t *folded);
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
/* Bytes between a staged row's chunks. */
#define TFG_MVE_CHUNK_GROUP (TFG_MVE_BLOCK_ROWS * TFG_MVE_CHUNK)

/* n bytes from src to dst, dst advancing a whole chunk group per 16 bytes (src: a row; dst: its staged place, on a
   chunk boundary): one tail-predicated loop. */
static inline void tfg_nn_mve_stage_chunks(int8_t *dst, const int8_t *src, int32_t n) {
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[src]], #16\n"
      "vstrb.8 q0, [%[dst]], #64\n"
      "letp lr, 1b\n"
      : [src] "+r"(src), [dst] "+r"(dst)
      : [n] "r"(n)
      : "q0", "lr", "memory");
}

/* The same with every byte `value` (padding). */
static inline void tfg_nn_mve_fill_chunks(int8_t *dst, int8_t value, int32_t n) {
  __asm__ volatile(
      "vdup.8 q0, %[v]\n"
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vstrb.8 q0, [%[dst]], #64\n"
      "letp lr, 1b\n"
      : [dst] "+r"(dst)
      : [n] "r"(n), [v] "r"((int32_t)value)
      : "q0", "lr", "memory");
}

/* n bytes from src to dst (memcpy for short runs, one tail-predicated loop). */
static inline void tfg_nn_mve_copy(int8_t *dst, const int8_t *src, int32_t n) {
  __asm__ volatile(
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vldrb.8 q0, [%[src]], #16\n"
      "vstrb.8 q0, [%[dst]], #16\n"
      "letp lr, 1b\n"
      : [src] "+r"(src), [dst] "+r"(dst)
      : [n] "r"(n)
      : "q0", "lr", "memory");
}

/* n copies of value at dst. */
static inline void tfg_nn_mve_fill(int8_t *dst, int8_t value, int32_t n) {
  __asm__ volatile(
      "vdup.8 q0, %[v]\n"
      "dlstp.8 lr, %[n]\n"
      "1:\n"
      "vstrb.8 q0, [%[dst]], #16\n"
      "letp lr, 1b\n"
      : [dst] "+r"(dst)
      : [n] "r"(n), [v] "r"((int32_t)value)
      : "q0", "lr", "memory");
}
#endif

/* Bytes of a staged block: TFG_MVE_BLOCK_ROWS rows of the depth rounded up to whole chunks. Every build. */
static inline int32_t tfg_nn_mve_block_size(int32_t depth) {
  return TFG_MVE_BLOCK_ROWS * ((depth + TFG_MVE_CHUNK - 1) / TFG_MVE_CHUNK) * TFG_MVE_CHUNK;
}

/*
 * The DSP path's convolution GEMM (tfg_nn_pair_gemm_s8.c): out0[c] and out1[c] for c < channels from input rows x0
 * and x1 (x1 = x0 and out1 = out0 for a single row). Both rows are widened into `widened` (scratch of
 * tfg_nn_pair_gemm_s8_scratch_size(depth) bytes, word aligned) before any output is written, so the outputs may
 * overwrite those rows. Defined only where TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE; its scratch size is plain arithmetic,
 * defined on every build for the size queries' _dsp variants.
 */
void tfg_nn_pair_gemm_s8(const int8_t *x0, const int8_t *x1, const int8_t *w, int32_t channels, int32_t depth,
                         const tfg_nn_requant *requant, int all_fast, int8_t *out0, int8_t *out1, int32_t *widened);
int32_t tfg_nn_pair_gemm_s8_scratch_size(int32_t depth);
/* The same from a pair already widened in tfg_nn_pair_gemm_s8's layout: per 4 depth steps, row 0 (x0, x2) (x1, x3)
   then row 1, each int16 with the input offset added; a depth % 4 tail is one more step padded with zeros. */
void tfg_nn_pair_gemm_widened_s8(const int32_t *widened, const int8_t *w, int32_t channels, int32_t depth,
                                 const tfg_nn_requant *requant, int all_fast, int8_t *out0, int8_t *out1);
/* Once per layer, for tfg_nn_pair_gemm_s8's all_fast: bias present, per-channel, every shift in -31..-2 (the
   requantization's one-SMLAL form, which the assembly channel loop uses) or multiplier 0. */
int tfg_nn_pair_gemm_s8_all_fast(const tfg_nn_requant *requant, int32_t channels);

/*
 * The DSP path's first-layer convolution (conv/tfg_convolve_few_channels_s8.c): input channels not a multiple of 4
 * and a receptive field of at most 32 values. Returns 0 (nothing written) when the layer does not fit or a
 * channel's requantization lacks the one-SMLAL form; then the caller takes the generic path. `scratch` holds
 * tfg_convolve_few_channels_s8_scratch_size bytes, word aligned (0: the filter does not fit the path). The size is
 * plain arithmetic on every build; the path itself is compiled only where TFG_NN_HAS_DSP && !TFG_NN_HAS_MVE.
 */
int tfg_convolve_few_channels_s8(const tfg_conv_params *conv_params, const tfg_per_channel_quant_params *quant_params,
                                 const tfg_dims *input_dims, const int8_t *input_batch, const tfg_dims *filter_dims,
                                 const int8_t *filter, const int32_t *bias, const tfg_dims *output_dims,
                                 int8_t *output_batch, int32_t *scratch);
int32_t tfg_convolve_few_channels_s8_scratch_size(const tfg_dims *input_dims, const tfg_dims *filter_dims);

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>

/*
 * TFLite's requantization of 4 channels at once: left shift, VQRDMULH (the doubling high multiply with its
 * rounding: floor((x * m + 2^30) / 2^31) for m >= 0), minus one for negative values where there is a right shift,
 * then VRSHL's round-half-up right shift; together round half away from zero as TFLite's RoundingDivideByPOT.
 * `right` holds min(shift, 0) (negative: its sign bit marks the lanes that shift right).
 */
static inline int32x4_t tfg_nn_requantize_x4(int32x4_t acc, int32x4_t left, int32x4_t multiplier, int32x4_t right) {
  const int32x4_t high = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, right), 31);
  return vrshlq_s32(vqaddq_s32(high, fixup), right);
}
#endif

/* A convolution's receptive-field geometry, read once per call (int8 stores could alias the parameter structs). */
typedef struct {
  int32_t in_h, in_w, ci, f_h, f_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
  /* The input offset in both int16 halves. */
  int32_t offset2;
  /* Bytes of a staged field that are widened (the depth padded to whole steps of 4). */
  int32_t stage_depth;
  /* The input zero point: padding that the offset turns into 0. */
  int8_t pad_value;
} tfg_nn_field_geometry;

void tfg_nn_field_geometry_init(tfg_nn_field_geometry *g, const tfg_conv_params *p, const tfg_dims *in,
                                const tfg_dims *f, int32_t stage_depth);

/*
 * One output pixel's receptive field into its half (`which`, 0 or 1) of a widened pair (tfg_nn_widen_s8.c: per 4
 * depth values pixel 0 (x0, x2) (x1, x3), then pixel 1). Input channels a multiple of 4 and `stage` NULL: each
 * tap's channels straight from the input, whole steps. Otherwise the field is gathered as int8 into `stage`
 * (padding taps as the input zero point, which the offset turns into 0; bytes from the depth to stage_depth are
 * the caller's to set so), a row's inside taps in one copy when they are adjacent, then widened step by step.
 */
void tfg_nn_widen_field(const tfg_nn_field_geometry *g, const int8_t *input_batch, int32_t oy, int32_t ox,
                        int32_t which, int32_t *pair, int8_t *stage);

/* Bytes rounded up to a multiple of 4 so that scratch regions after it stay word aligned. */
static inline int32_t tfg_nn_align4(int32_t bytes) { return (bytes + 3) & ~3; }

#endif /* TFG_NN_SUPPORT_H */
