/* Plain int32 arithmetic and integer casts (the audio front end's scaling to int8); two's complement wrap as C on
 * the targets, matching the interpreter's integer-arithmetic.ts. */
#include "tfg_nn.h"

static int32_t apply(int32_t op, int32_t p, int32_t q) {
  switch (op) {
    case 0:
      return (int32_t)((uint32_t)p + (uint32_t)q);
    case 1:
      return (int32_t)((uint32_t)p - (uint32_t)q);
    case 2:
      return (int32_t)((uint32_t)p * (uint32_t)q);
    case 3:
      return q == 0 || (p == INT32_MIN && q == -1) ? (q == 0 ? 0 : INT32_MIN) : p / q;
    case 4:
      return p < q ? p : q;
    default:
      return p > q ? p : q;
  }
}

tfg_status tfg_int32_binary(int32_t op, const int32_t *a, const int32_t *b, int32_t size, int32_t b_size, int32_t *output) {
  if (op < 0 || op > 5 || (b_size != 1 && b_size != size)) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) output[i] = apply(op, a[i], b[b_size == 1 ? 0 : i]);
  return TFG_OK;
}

static int32_t load(const void *p, int32_t type, int32_t i) {
  switch (type) {
    case 1:
      return ((const int8_t *)p)[i];
    case 2:
      return ((const int16_t *)p)[i];
    case 4:
      return ((const int32_t *)p)[i];
    default:
      return (int32_t)((const uint32_t *)p)[i];
  }
}

tfg_status tfg_cast_int(const void *input, int32_t from, void *output, int32_t to, int32_t size) {
  const int ok_from = from == 1 || from == 2 || from == 4 || from == 5;
  const int ok_to = to == 1 || to == 2 || to == 4 || to == 5;
  if (!ok_from || !ok_to) return TFG_ARG_ERROR;
  for (int32_t i = 0; i < size; i++) {
    const uint32_t v = (uint32_t)load(input, from, i);
    if (to == 1) ((int8_t *)output)[i] = (int8_t)(uint8_t)v;
    else if (to == 2) ((int16_t *)output)[i] = (int16_t)(uint16_t)v;
    else if (to == 4) ((int32_t *)output)[i] = (int32_t)v;
    else ((uint32_t *)output)[i] = v;
  }
  return TFG_OK;
}
