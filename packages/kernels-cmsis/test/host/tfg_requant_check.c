/*
 * tfg_nn_requantize (one-SMLAL forms) against a literal transcription of TFLite's MultiplyByQuantizedMultiplier
 * (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT) on seeded random and edge-case operands.
 * Prints "cases <n> mismatches <m>" and the first few mismatches; exit status 1 on any mismatch.
 */
#include <stdint.h>
#include <stdio.h>

#include "../../src/support/tfg_nn_support.h"

static int32_t reference_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * b;
  const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t reference_divide_pot(int32_t x, int32_t exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static int32_t reference(int32_t x, int32_t multiplier, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  return reference_divide_pot(reference_high_mul((int32_t)((uint32_t)x << left), multiplier), right);
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void) { /* xorshift64* */
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return (uint32_t)((state * 0x2545F4914F6CDD1Dull) >> 32);
}

static int32_t pick_x(void) {
  static const int32_t edges[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), 255, -256};
  switch (next_u32() % 4) {
    case 0: return edges[next_u32() % (sizeof(edges) / sizeof(edges[0]))];
    case 1: return (int32_t)(next_u32() % 2001u) - 1000; /* around zero: rounding ties */
    case 2: return (int32_t)next_u32() >> (next_u32() % 31); /* every magnitude */
    default: return (int32_t)next_u32();
  }
}

int main(void) {
  const int32_t cases = 4000000;
  int32_t mismatches = 0;
  for (int32_t i = 0; i < cases; i++) {
    const int32_t x = pick_x();
    const int32_t m = next_u32() % 8 == 0 ? (int32_t)(next_u32() % 4u) : (int32_t)(next_u32() >> 1);
    const int32_t shift = (int32_t)(next_u32() % 40u) - 31; /* -31 .. 8 */
    /* Left shifts that overflow wrap in both; TFLite only produces them for tiny accumulators. */
    const int32_t want = reference(x, m, shift);
    const int32_t got = tfg_nn_requantize(x, m, shift);
    if (want != got) {
      if (mismatches < 10) printf("x %ld m %ld shift %ld: want %ld got %ld\n", (long)x, (long)m, (long)shift, (long)want, (long)got);
      mismatches++;
    }
  }
  printf("cases %ld mismatches %ld\n", (long)cases, (long)mismatches);
  return mismatches == 0 ? 0 : 1;
}
