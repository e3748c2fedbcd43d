/*
 * What the seeded self-tests (tfg_selftest*.c) share: the mulberry32 generator the gold vectors use, random int8
 * data, quantization and output bounds, the FNV-1a hash of an output, and the one line per case that the host and
 * the Cortex-M runs must print alike. Each self-test defines tfg_selftest_main; the platform file (host_main.c or
 * startup.c) provides tfg_test_print.
 */
#ifndef TFG_SELFTEST_HARNESS_H
#define TFG_SELFTEST_HARNESS_H

#include <stdint.h>

#include "tfg_nn.h"

void tfg_test_print(const char *text);

void tfg_test_seed(uint32_t seed);
/* Uniform in [lo, hi], both inclusive. */
int32_t tfg_test_rand(int32_t lo, int32_t hi);
int32_t tfg_test_pick(const int32_t *values, int32_t count);
void tfg_test_fill_s8(int8_t *p, int32_t n);

/* Per-channel quantization: bias in [-bias_limit, bias_limit], multipliers in [2^30, 2^31 - 1], shifts mostly
   the usual right shifts in [longest_shift, -6], one channel in 8 a general one (-1, 0, 1). */
void tfg_test_fill_quant(int32_t *bias, int32_t *multipliers, int32_t *shifts, int32_t channels, int32_t bias_limit,
                         int32_t longest_shift);

/* Output bounds: the full int8 range half the time, else a fused-ReLU-like [min, max] inside it. */
tfg_activation tfg_test_random_clamp(void);

uint32_t tfg_test_hash(const int8_t *p, int32_t n);

/* The folded bias of tfg_conv_params' folded_bias: folded[c] = bias[c] (0 without a bias) + input_offset * the sum of
   channel c's weights, weights[c * channel_step + t * tap_step] for t < taps. */
void tfg_test_fold_bias(const int32_t *bias, const int8_t *weights, int32_t channels, int32_t channel_step,
                        int32_t tap_step, int32_t taps, int32_t input_offset, int32_t *folded);

/* Prints "<kind> <index, 3 digits> <o|E> <hash, 8 hex digits>[ <note>]": o when status is TFG_OK. */
void tfg_test_print_case(const char *kind, int32_t index, int32_t status, uint32_t hash, const char *note);

#endif
