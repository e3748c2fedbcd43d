/*
 * int16 softmax (TFLite's SoftmaxInt16): the differences to the row maximum rescaled so that [-65535, 0] spans
 * [-10, 0], exp through a 513-entry interpolated table, the Q16.15 sum normalised and its reciprocal through a
 * 1/(1 + x) table, output Q0.15. The tables come from the code generator (TFLite's LUTPopulate<int16_t>).
 */
#include "../support/tfg_nn_s16.h"

static int32_t leading_zeros(uint32_t x) {
  int32_t n = 0;
  if (x == 0) {
    return 32;
  }
  while ((x & 0x80000000u) == 0) {
    x <<= 1;
    n++;
  }
  return n;
}

tfg_status tfg_softmax_s16(int32_t input_multiplier, int32_t input_shift, int32_t num_rows, int32_t row_size,
                           const int16_t *exp_lut, const int16_t *one_over_one_plus_x_lut, const int16_t *input,
                           int16_t *output) {
  if (num_rows < 0 || row_size < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t r = 0; r < num_rows; r++) {
    const int16_t *in = input + r * row_size;
    int16_t *out = output + r * row_size;
    int32_t max_value = INT16_MIN;
    for (int32_t c = 0; c < row_size; c++) {
      max_value = TFG_MAX(max_value, (int32_t)in[c]);
    }
    int32_t sum = 0; /* Q16.15 */
    for (int32_t c = 0; c < row_size; c++) {
      const int32_t scaled = tfg_nn_requantize(in[c] - max_value, input_multiplier, input_shift);
      out[c] = tfg_nn_lut_lookup_s16(tfg_nn_sat16(scaled + 32767), exp_lut);
      sum += out[c];
    }
    const int32_t headroom_plus_one = leading_zeros((uint32_t)sum);
    const int64_t shifted = (int64_t)sum * ((int64_t)1 << (headroom_plus_one - 1));
    const int32_t shifted_sum = (int32_t)((shifted + (1 << 13)) >> 14);
    /* The table computes 1/(1 + x) for x = sum - 1, recentred from [0, 65535] to the int16 range. */
    const int32_t reciprocal =
        tfg_nn_lut_lookup_s16(tfg_nn_sat16(shifted_sum - (1 << 15) - (1 << 16)), one_over_one_plus_x_lut);
    const int32_t right_shift = 31 - headroom_plus_one;
    const int64_t round = right_shift > 0 ? (int64_t)1 << (right_shift - 1) : 0;
    for (int32_t c = 0; c < row_size; c++) {
      const int64_t v = ((int64_t)out[c] * reciprocal + round) >> right_shift;
      out[c] = (int16_t)(v < 0 ? 0 : v > 32767 ? 32767 : v);
    }
  }
  return TFG_OK;
}
