/*
 * One int8 in, one int8 out, the same function everywhere: logistic, tanh, hard-swish, ReLU/ReLU6/leaky ReLU,
 * clip and int8 requantization are all a 256-entry table the generator fills with TFLite's integer arithmetic.
 * One load per element beats any fixed-point evaluation on a Cortex-M, and in-place use is safe.
 */
#include "../support/tfg_nn_support.h"

tfg_status tfg_lut_s8(const int8_t *table, int32_t size, const int8_t *input, int8_t *output) {
  if (table == 0 || size < 0) {
    return TFG_ARG_ERROR;
  }
  for (int32_t i = 0; i < size; i++) {
    output[i] = table[(int32_t)input[i] + 128];
  }
  return TFG_OK;
}
