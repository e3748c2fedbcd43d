/*
 * TFLite Micro's Signal library ops (the micro_speech audio front end) on plain integers, bit-exact with the
 * library's arithmetic as the interpreter's kernels/signal.ts and signal-fft.ts spell it out: uint32/uint64
 * wrap-around, truncating shifts, KISS FFT (v130) 16-bit fixed point with twiddles computed by the code generator.
 */
#include <string.h>

#include "tfg_nn.h"
#include "../support/tfg_nn_dsp.h"

static int32_t msb32(uint32_t x) { return x == 0u ? 32 : 32 - __builtin_clz(x); }

static int16_t saturate16(int32_t v) { return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v); }

tfg_status tfg_signal_window(const int16_t *input, const int16_t *window, int32_t size, int32_t frame, int32_t shift,
                             int16_t *output) {
  if (frame <= 0 || size % frame != 0 || shift < 0 || shift > 31) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) output[i] = saturate16(((int32_t)input[i] * window[i % frame]) >> shift);
  return TFG_OK;
}

tfg_status tfg_signal_fft_scale_bits(const int16_t *input, int32_t size, int32_t *scale_bits) {
  /* MaxAbs16 keeps its maximum in an int16: -(-32768) stores -32768, which later samples may replace. */
  int16_t max = 0;
  for (int32_t i = 0; i < size; i++) {
    const int32_t v = input[i];
    if (v > max) max = (int16_t)v;
    else if (-v > max) max = (int16_t)(uint16_t)(-v);
  }
  const int32_t bits = 16 - msb32((uint32_t)(int32_t)max) - 1;
  *scale_bits = bits > 0 ? bits : 0;
  return TFG_OK;
}

tfg_status tfg_signal_fft_auto_scale(const int16_t *input, const int32_t *scale_bits, int32_t size, int16_t *output) {
  if (*scale_bits < 0 || *scale_bits > 15) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) output[i] = (int16_t)(uint16_t)((uint32_t)(int32_t)input[i] << *scale_bits);
  return TFG_OK;
}

/* KISS FFT's fixed-point helpers: Q15 rounding of an int32 product, and each stage's division by its radix. */
static int16_t sround(int32_t p) { return (int16_t)(uint16_t)(uint32_t)((p + (1 << 14)) >> 15); }
static int16_t fixdiv(int16_t v, int32_t radix) { return sround((int32_t)v * (32767 / radix)); }
static int16_t wrap16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }

typedef struct {
  const int16_t *input; /* one frame, `frame` samples, zero beyond (read as fft_length / 2 complex values) */
  int32_t frame;
  const int16_t *twiddles;
  const int32_t *factors;
} fft_plan;

static int16_t sample(const fft_plan *p, int32_t i) { return i < p->frame ? p->input[i] : 0; }

/* r = a * t in Q15 (KISS FFT's C_MUL): re = a.re t.re - a.im t.im, im = a.re t.im + a.im t.re, each sround. */
#if TFG_NN_HAS_DSP
/* One complex value is one word (re low, im high): SMUSD and SMUADX form both int32 sums exactly as plain C does
 * (two's complement wrap-around included, for the one sum that can reach 2^31), in one instruction each. */
static inline void cmul(const int16_t *a, const int16_t *t, int16_t *r) {
  int32_t av, tv;
  memcpy(&av, a, sizeof av);
  memcpy(&tv, t, sizeof tv);
  r[0] = sround(__smusd(av, tv));
  r[1] = sround(__smuadx(av, tv));
}
#else
static void cmul(const int16_t *a, const int16_t *t, int16_t *r) {
  r[0] = sround((int32_t)a[0] * t[0] - (int32_t)a[1] * t[1]);
  r[1] = sround((int32_t)a[0] * t[1] + (int32_t)a[1] * t[0]);
}
#endif

static void butterfly2(int16_t *x, int32_t fstride, int32_t m, const int16_t *tw) {
  for (int32_t k = 0; k < m; k++) {
    int16_t *a = x + 2 * k;
    int16_t *b = x + 2 * (k + m);
    a[0] = fixdiv(a[0], 2);
    a[1] = fixdiv(a[1], 2);
    b[0] = fixdiv(b[0], 2);
    b[1] = fixdiv(b[1], 2);
    int16_t t[2];
    cmul(b, tw + 2 * k * fstride, t);
    b[0] = wrap16(a[0] - t[0]);
    b[1] = wrap16(a[1] - t[1]);
    a[0] = wrap16(a[0] + t[0]);
    a[1] = wrap16(a[1] + t[1]);
  }
}


#if TFG_NN_HAS_DSP
/*
 * The radix-4 butterfly's DSP path works on whole complex values, one word each (re in the low half): both halves
 * divided by 4 (C_FIXDIV; the compiler picks SMULBB/SMULTB), SMUSD/SMUADX multiply by the twiddle, SADD16/SSUB16/
 * SASX/SSAX add and subtract both halves at once, wrapping modulo 2^16 as the plain C's int16 stores do. Every
 * rounding is the plain path's sround of the same int32.
 */
static inline int32_t load_c(const int16_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void store_c(int16_t *p, int32_t v) { memcpy(p, &v, sizeof v); }
static inline int32_t pack_c(int32_t re, int32_t im) { return (int32_t)(((uint32_t)re & 0xFFFFu) | ((uint32_t)im << 16)); }
static inline int32_t sround32(int32_t p) { return (p + (1 << 14)) >> 15; }
static inline int32_t fixdiv4_c(int32_t v) { return pack_c(sround32((int32_t)(int16_t)v * (32767 / 4)), sround32((v >> 16) * (32767 / 4))); }
static inline int32_t cmul_c(int32_t a, int32_t t) { return pack_c(sround32(__smusd(a, t)), sround32(__smuadx(a, t))); }
#endif

static void butterfly4(int16_t *x, int32_t fstride, int32_t m, const int16_t *tw) {
  for (int32_t k = 0; k < m; k++) {
    int16_t *f0 = x + 2 * k;
    int16_t *f1 = x + 2 * (k + m);
    int16_t *f2 = x + 2 * (k + 2 * m);
    int16_t *f3 = x + 2 * (k + 3 * m);
#if TFG_NN_HAS_DSP
    const int32_t a0 = fixdiv4_c(load_c(f0)), a1 = fixdiv4_c(load_c(f1)), a2 = fixdiv4_c(load_c(f2)), a3 = fixdiv4_c(load_c(f3));
    const int32_t s0 = cmul_c(a1, load_c(tw + 2 * k * fstride));
    const int32_t s1 = cmul_c(a2, load_c(tw + 4 * k * fstride));
    const int32_t s2 = cmul_c(a3, load_c(tw + 6 * k * fstride));
    const int32_t s5 = __ssub16(a0, s1), b0 = __sadd16(a0, s1);
    const int32_t s3 = __sadd16(s0, s2), s4 = __ssub16(s0, s2);
    store_c(f2, __ssub16(b0, s3));
    store_c(f0, __sadd16(b0, s3));
    store_c(f1, __ssax(s5, s4)); /* (s5.re + s4.im, s5.im - s4.re) */
    store_c(f3, __sasx(s5, s4)); /* (s5.re - s4.im, s5.im + s4.re) */
#else
    int16_t *all[4] = {f0, f1, f2, f3};
    for (int32_t j = 0; j < 4; j++) {
      all[j][0] = fixdiv(all[j][0], 4);
      all[j][1] = fixdiv(all[j][1], 4);
    }
    int16_t s0[2], s1[2], s2[2];
    cmul(f1, tw + 2 * k * fstride, s0);
    cmul(f2, tw + 4 * k * fstride, s1);
    cmul(f3, tw + 6 * k * fstride, s2);
    const int16_t s5r = wrap16(f0[0] - s1[0]), s5i = wrap16(f0[1] - s1[1]);
    f0[0] = wrap16(f0[0] + s1[0]);
    f0[1] = wrap16(f0[1] + s1[1]);
    const int16_t s3r = wrap16(s0[0] + s2[0]), s3i = wrap16(s0[1] + s2[1]);
    const int16_t s4r = wrap16(s0[0] - s2[0]), s4i = wrap16(s0[1] - s2[1]);
    f2[0] = wrap16(f0[0] - s3r);
    f2[1] = wrap16(f0[1] - s3i);
    f0[0] = wrap16(f0[0] + s3r);
    f0[1] = wrap16(f0[1] + s3i);
    f1[0] = wrap16(s5r + s4i);
    f1[1] = wrap16(s5i - s4r);
    f3[0] = wrap16(s5r - s4i);
    f3[1] = wrap16(s5i + s4r);
#endif
  }
}

/* kf_work: out[o..] (complex) from input complex index f with stride fstride, radix stages from factors. */
static tfg_status fft_work(const fft_plan *p, int16_t *out, int32_t f, int32_t fstride, const int32_t *factors) {
  const int32_t radix = factors[0];
  const int32_t m = factors[1];
  if (m == 1) {
    for (int32_t k = 0; k < radix; k++) {
      const int32_t at = f + k * fstride;
      out[2 * k] = sample(p, 2 * at);
      out[2 * k + 1] = sample(p, 2 * at + 1);
    }
  } else {
    for (int32_t k = 0; k < radix; k++) {
      const tfg_status s = fft_work(p, out + 2 * k * m, f + k * fstride, fstride * radix, factors + 2);
      if (s != TFG_OK) return s;
    }
  }
  if (radix == 2) butterfly2(out, fstride, m, p->twiddles);
  else if (radix == 4) butterfly4(out, fstride, m, p->twiddles);
  else return TFG_NO_IMPL_ERROR;
  return TFG_OK;
}

tfg_status tfg_signal_rfft(const tfg_signal_rfft_params *params, const int16_t *input, int16_t *output) {
  const int32_t n = params->fft_length;
  const int32_t half = n / 2;
  if (n < 4 || (n & (n - 1)) != 0 || params->frame > n || params->frame <= 0) return TFG_ARG_ERROR;
  for (int32_t frame = 0; frame < params->frames; frame++) {
    const fft_plan p = {input + frame * params->frame, params->frame, params->twiddles, params->factors};
    int16_t *out = output + frame * (n + 2);
    /* The N/2-point complex FFT lands in out[0..N), then the real split runs in place (pairs k, N/2 - k). */
    const tfg_status s = fft_work(&p, out, 0, 1, params->factors);
    if (s != TFG_OK) return s;
    const int16_t dcr = fixdiv(out[0], 2), dci = fixdiv(out[1], 2);
    out[0] = wrap16(dcr + dci);
    out[1] = 0;
    out[2 * half] = wrap16(dcr - dci);
    out[2 * half + 1] = 0;
    for (int32_t k = 1; k <= half / 2; k++) {
      const int16_t fpkr = fixdiv(out[2 * k], 2), fpki = fixdiv(out[2 * k + 1], 2);
      const int16_t fpnkr = fixdiv(out[2 * (half - k)], 2), fpnki = fixdiv(wrap16(-out[2 * (half - k) + 1]), 2);
      const int16_t f1kr = wrap16(fpkr + fpnkr), f1ki = wrap16(fpki + fpnki);
      const int16_t f2kr = wrap16(fpkr - fpnkr), f2ki = wrap16(fpki - fpnki);
      const int16_t f2k[2] = {f2kr, f2ki};
      int16_t tw[2];
      cmul(f2k, params->super_twiddles + 2 * (k - 1), tw);
      const int16_t twr = tw[0], twi = tw[1];
      out[2 * k] = wrap16((f1kr + twr) >> 1);
      out[2 * k + 1] = wrap16((f1ki + twi) >> 1);
      out[2 * (half - k)] = wrap16((f1kr - twr) >> 1);
      out[2 * (half - k) + 1] = wrap16((twi - f1ki) >> 1);
    }
  }
  return TFG_OK;
}

tfg_status tfg_signal_energy(const int16_t *input, int32_t bins, int32_t start, int32_t end, uint32_t *output) {
  if (start < 0 || end < start || end > bins) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < bins; i++) output[i] = 0u;
  for (int32_t i = start; i < end; i++) {
    const int32_t re = input[2 * i], im = input[2 * i + 1];
    output[i] = (uint32_t)re * (uint32_t)re + (uint32_t)im * (uint32_t)im;
  }
  return TFG_OK;
}

tfg_status tfg_signal_filter_bank(const tfg_signal_filter_bank_params *params, const uint32_t *input, uint64_t *output) {
  uint64_t weighted = 0u, unweighted = 0u;
  for (int32_t i = 0; i <= params->num_channels; i++) {
    const int32_t start = params->frequency_starts[i], wstart = params->weight_starts[i];
    /* (uint64_t)(int64_t)w * e modulo 2^64 as 32x32->64 unsigned multiply-accumulates (UMLAL) instead of 64x64
     * products: a negative w reads as w + 2^32, 2^32 e too much, so the e of negative weights are summed (mod 2^32)
     * and taken off the high words once. */
    uint32_t weighted_excess = 0u, unweighted_excess = 0u;
    for (int32_t j = 0; j < params->widths[i]; j++) {
      const uint32_t e = input[start + j];
      const int32_t w = params->weights[wstart + j], u = params->unweights[wstart + j];
      weighted += (uint64_t)(uint32_t)w * e;
      unweighted += (uint64_t)(uint32_t)u * e;
      weighted_excess += e & (uint32_t)(w >> 31);
      unweighted_excess += e & (uint32_t)(u >> 31);
    }
    weighted -= (uint64_t)weighted_excess << 32;
    unweighted -= (uint64_t)unweighted_excess << 32;
    if (i > 0) output[i - 1] = weighted;
    weighted = unweighted;
    unweighted = 0u;
  }
  return TFG_OK;
}

static int32_t msb64(uint64_t x) { return x == 0u ? 64 : 64 - __builtin_clzll(x); }

/* Bit-by-bit square root, rounded up when the remainder exceeds the root (TFLite Micro's Sqrt32/Sqrt64). */
static uint32_t sqrt64(uint64_t num) {
  if (num == 0u) return 0u;
  const int32_t top = (num >> 32) == 0u ? 32 : 64;
  int32_t max_bit = top - (top == 32 ? msb32((uint32_t)num) : msb64(num));
  max_bit |= 1;
  uint64_t bit = (uint64_t)1 << (top - 1 - max_bit);
  int32_t iterations = (top - 1 - max_bit) / 2 + 1;
  uint64_t res = 0u;
  while (iterations-- > 0) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != (top == 32 ? 0xFFFFu : 0xFFFFFFFFu)) ++res;
  return (uint32_t)res;
}

tfg_status tfg_signal_filter_bank_sqrt(const uint64_t *input, const int32_t *scale_bits, int32_t size, uint32_t *output) {
  if (*scale_bits < 0 || *scale_bits > 31) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) output[i] = sqrt64(input[i]) >> *scale_bits;
  return TFG_OK;
}

tfg_status tfg_signal_noise_estimate(const tfg_signal_noise_params *params, const uint32_t *input, uint32_t *state,
                                     int32_t size, uint32_t *output) {
  for (int32_t i = 0; i < size; i++) {
    const uint32_t s = (i & 1) == 0 ? params->smoothing : params->alternate_smoothing;
    const uint32_t one_minus = (i & 1) == 0 ? params->one_minus_smoothing : params->alternate_one_minus_smoothing;
    const uint32_t up = input[i] << params->smoothing_bits;
    const uint32_t estimate = (uint32_t)(((uint64_t)up * s + (uint64_t)state[i] * one_minus) >> params->spectral_subtraction_bits);
    state[i] = params->clamping && estimate > up ? up : estimate;
    output[i] = state[i];
  }
  return TFG_OK;
}

tfg_status tfg_signal_spectral_subtraction(const tfg_signal_noise_params *params, const uint32_t *input,
                                           const uint32_t *noise, int32_t size, uint32_t *output) {
  for (int32_t i = 0; i < size; i++) {
    const uint32_t up = input[i] << params->smoothing_bits;
    const uint32_t estimate = noise[i] > up ? up : noise[i];
    const uint32_t floor = (uint32_t)(((uint64_t)input[i] * params->min_signal_remaining) >> params->spectral_subtraction_bits);
    const uint32_t subtracted = (up - estimate) >> params->smoothing_bits;
    output[i] = subtracted > floor ? subtracted : floor;
  }
  return TFG_OK;
}

static int16_t wide_dynamic_function(uint32_t x, const int16_t *lut) {
  if (x <= 2u) return lut[x];
  const int32_t interval = msb32(x);
  lut += 4 * interval - 6;
  const int32_t frac = (int32_t)((interval < 11 ? x << (11 - interval) : x >> (interval - 11)) & 0x3FFu);
  int32_t result = ((int32_t)lut[2] * frac) >> 5;
  result = (int32_t)((uint32_t)result + ((uint32_t)(int32_t)lut[1] << 5));
  result = (int32_t)((uint32_t)result * (uint32_t)frac);
  result = (int32_t)((uint32_t)result + (1u << 14)) >> 15;
  result += lut[0];
  return (int16_t)(uint16_t)(uint32_t)result;
}

static uint32_t pcan_shrink(uint32_t x) {
  if (x < (2u << 12)) return (x * x) >> (2 + 2 * 12 - 6);
  return (x >> (12 - 6)) - (1u << 6);
}

tfg_status tfg_signal_pcan(const uint32_t *input, const uint32_t *noise, const int16_t *gain_lut, int32_t size,
                           int32_t snr_shift, uint32_t *output) {
  if (snr_shift < 0 || snr_shift > 63) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) {
    const uint32_t gain = (uint32_t)(int32_t)wide_dynamic_function(noise[i], gain_lut);
    output[i] = pcan_shrink((uint32_t)(((uint64_t)input[i] * gain) >> snr_shift));
  }
  return TFG_OK;
}

static uint32_t log32(uint32_t x, uint32_t out_scale, const uint16_t *lut) {
  const uint32_t integer = (uint32_t)msb32(x) - 1u;
  int32_t frac = (int32_t)(x - ((uint32_t)1 << integer));
  if (integer < 16u) frac = (int32_t)((uint32_t)frac << (16u - integer));
  else frac >>= integer - 16u;
  const uint32_t segment = (uint32_t)frac >> 9;
  const int32_t c0 = lut[segment], c1 = lut[segment + 1];
  const int32_t rel = ((c1 - c0) * (frac - (int32_t)(512u * segment))) >> 16;
  const uint32_t log2 = (integer << 16) + (uint32_t)(frac + c0 + rel);
  const uint32_t loge = (uint32_t)(((uint64_t)45426u * log2 + 32768u) >> 16);
  return (out_scale * loge + 32768u) >> 16;
}

tfg_status tfg_signal_filter_bank_log(const uint32_t *input, int32_t size, int32_t correction_bits, int32_t output_scale,
                                      const uint16_t *log_lut, int16_t *output) {
  if (correction_bits < 0 || correction_bits > 31) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) {
    const uint32_t scaled = input[i] << correction_bits;
    if (scaled > 1u) {
      const uint32_t v = log32(scaled, (uint32_t)output_scale, log_lut);
      output[i] = (int16_t)(v < 32767u ? v : 32767u);
    } else {
      output[i] = 0;
    }
  }
  return TFG_OK;
}

tfg_status tfg_feature_window(const void *row, void *window, int32_t row_bytes, int32_t rows, void *output) {
  if (row_bytes <= 0 || rows <= 0) return TFG_ARG_ERROR;
  int8_t *const w = (int8_t *)window;
  const size_t kept = (size_t)row_bytes * (size_t)(rows - 1);
  memmove(w, w + row_bytes, kept);
  memcpy(w + kept, row, (size_t)row_bytes);
  if (output != window) memcpy(output, window, kept + (size_t)row_bytes);
  return TFG_OK;
}
