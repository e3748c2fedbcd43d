/*
 * Armv7E-M / Armv8-M DSP-extension helpers (internal). SXTB16 and SXTAB16 take a rotation in the same
 * instruction; ACLE's __sxtb16 has none, so the rotated forms are inline assembly (otherwise the compiler emits a
 * separate ROR before each one).
 */
#ifndef TFG_NN_DSP_H
#define TFG_NN_DSP_H

#include <stdint.h>

/* Helium (integer MVE) replaces the DSP paths where a kernel has both. */
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define TFG_NN_HAS_MVE 1
#else
#define TFG_NN_HAS_MVE 0
#endif

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#define TFG_NN_HAS_DSP 1

/* Bytes 0 and 2 as two int16. */
static inline int32_t tfg_sxtb16(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}

/* Bytes 1 and 3 as two int16. */
static inline int32_t tfg_sxtb16_ror8(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

/* a + bytes 0 and 2 of x, per int16 half. */
static inline int32_t tfg_sxtab16(int32_t a, int32_t x) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(x));
  return r;
}

/* a + bytes 1 and 3 of x, per int16 half. */
static inline int32_t tfg_sxtab16_ror8(int32_t a, int32_t x) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}

/* The same int16 value in both halves (for SXTAB16's addend). */
static inline int32_t tfg_dup16(int32_t v) { return (int32_t)(((uint32_t)v & 0xFFFFu) | ((uint32_t)v << 16)); }

/* x saturated to [-128, 127]. */
static inline int32_t tfg_ssat8(int32_t x) {
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(x) : "cc");
  return r;
}

/* The same byte in all four lanes (activation bounds for the byte-lane clamps below). */
static inline uint32_t tfg_dup8(int32_t v) { return ((uint32_t)v & 0xFFu) * 0x01010101u; }

/* Per signed byte lane: max(a, b) (SSUB8 sets the GE flag of every lane where a >= b, SEL picks by it). */
static inline uint32_t tfg_max_s8x4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\t"
          "sel %0, %1, %2"
          : "=&r"(r)
          : "r"(a), "r"(b)
          : "cc");
  return r;
}

/* Per signed byte lane: min(a, b). */
static inline uint32_t tfg_min_s8x4(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\t"
          "sel %0, %2, %1"
          : "=&r"(r)
          : "r"(a), "r"(b)
          : "cc");
  return r;
}

/* Every byte lane of x clamped to [min4, max4] (tfg_dup8 words). */
static inline uint32_t tfg_clamp_s8x4(uint32_t x, uint32_t min4, uint32_t max4) {
  return tfg_min_s8x4(tfg_max_s8x4(x, min4), max4);
}

/*
 * Four requantized outputs to four int8 in one word: SSAT to the int8 range, insert as bytes, then clamp every
 * lane to [min, max] with SSUB8 + SEL (GE flags per byte). Bounds are tfg_dup8 words; min <= max within int8.
 */
static inline uint32_t tfg_pack4_clamp(int32_t v0, int32_t v1, int32_t v2, int32_t v3, uint32_t min4, uint32_t max4) {
  uint32_t packed = (uint32_t)tfg_ssat8(v0) & 0xFFu;
  packed |= ((uint32_t)tfg_ssat8(v1) & 0xFFu) << 8;
  packed |= ((uint32_t)tfg_ssat8(v2) & 0xFFu) << 16;
  packed |= (uint32_t)tfg_ssat8(v3) << 24;
  return tfg_clamp_s8x4(packed, min4, max4);
}

/*
 * Inline-assembly text shared by the DSP routines that hold four requantized outputs in r4..r7: add the output
 * offset in `reg`, saturate and pack them as the bytes of r4, then clamp every byte to [lo, hi] (tfg_dup8 words)
 * with SSUB8 + SEL (clobbers lr and the GE flags).
 */
#define TFG_ASM_ADD_R4_R7(reg) \
  "add r4, r4, " reg "\n\t" \
  "add r5, r5, " reg "\n\t" \
  "add r6, r6, " reg "\n\t" \
  "add r7, r7, " reg "\n\t"
#define TFG_ASM_PACK_R4_R7 \
  "ssat r4, #8, r4\n\t" \
  "ssat r5, #8, r5\n\t" \
  "ssat r6, #8, r6\n\t" \
  "ssat r7, #8, r7\n\t" \
  "bfi r4, r5, #8, #8\n\t" \
  "bfi r4, r6, #16, #8\n\t" \
  "bfi r4, r7, #24, #8\n\t"
/*
 * Requantize accumulator ACC in place in the one-SMLAL form of tfg_nn_requantize_fast: MULT the multiplier,
 * POST = right shift - 1, ROUND = 2^(right shift - 2) (shifts -31..-2); r0 and lr are clobbered.
 */
#define TFG_ASM_REQUANT_FAST(ACC, MULT, POST, ROUND) \
  "and r0, " ACC ", #0x80000000\n\t" \
  "add r0, r0, #0x40000000\n\t" \
  "add lr, " ROUND ", " ACC ", asr #31\n\t" \
  "smlal r0, lr, " ACC ", " MULT "\n\t" \
  "asr " ACC ", lr, " POST "\n\t"
#define TFG_ASM_CLAMP_R4(lo, hi) \
  "ssub8 lr, r4, " lo "\n\t" \
  "sel r4, r4, " lo "\n\t" \
  "ssub8 lr, r4, " hi "\n\t" \
  "sel r4, " hi ", r4\n\t"

#else
#define TFG_NN_HAS_DSP 0
#endif

#endif /* TFG_NN_DSP_H */
