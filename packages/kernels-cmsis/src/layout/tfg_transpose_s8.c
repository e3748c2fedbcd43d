/* Permutation of a 4-D tensor's axes: output axis i is input axis perm[i] (lower ranks right-aligned). */
#include "../support/tfg_nn_support.h"

tfg_status tfg_transpose_s8(const tfg_dims *input_dims, const int8_t *input, const int32_t *perm, int8_t *output) {
  const int32_t extent[4] = {input_dims->n, input_dims->h, input_dims->w, input_dims->c};
  const int32_t stride[4] = {extent[1] * extent[2] * extent[3], extent[2] * extent[3], extent[3], 1};
  int32_t seen = 0;
  for (int32_t i = 0; i < 4; i++) {
    if (perm[i] < 0 || perm[i] > 3 || (seen & (1 << perm[i])) != 0) {
      return TFG_ARG_ERROR;
    }
    seen |= 1 << perm[i];
  }
  /* Walk the output in order; the input position advances by the permuted strides. */
  const int32_t e0 = extent[perm[0]], e1 = extent[perm[1]], e2 = extent[perm[2]], e3 = extent[perm[3]];
  const int32_t s0 = stride[perm[0]], s1 = stride[perm[1]], s2 = stride[perm[2]], s3 = stride[perm[3]];
  int8_t *out = output;
  for (int32_t a = 0; a < e0; a++) {
    for (int32_t b = 0; b < e1; b++) {
      for (int32_t c = 0; c < e2; c++) {
        const int8_t *src = input + a * s0 + b * s1 + c * s2;
        for (int32_t d = 0; d < e3; d++) {
          *out++ = src[d * s3];
        }
      }
    }
  }
  return TFG_OK;
}
