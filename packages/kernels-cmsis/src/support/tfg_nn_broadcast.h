/* Index arithmetic for numpy-style broadcasting over 4-D NHWC shapes (internal). */
#ifndef TFG_NN_BROADCAST_H
#define TFG_NN_BROADCAST_H

#include "tfg_nn_support.h"

/* Element strides of `in` when walked with the output's indices: 0 along dimensions of size 1. */
typedef struct {
  int32_t n, h, w, c;
} tfg_nn_strides;

/* Non-zero when every dimension of `in` equals the output's or is 1. */
static inline int tfg_nn_broadcast_strides(const tfg_dims *in, const tfg_dims *out, tfg_nn_strides *s) {
  const int32_t in_dims[4] = {in->n, in->h, in->w, in->c};
  const int32_t out_dims[4] = {out->n, out->h, out->w, out->c};
  int32_t strides[4];
  int32_t step = 1;
  for (int32_t d = 3; d >= 0; d--) {
    if (in_dims[d] != out_dims[d] && in_dims[d] != 1) {
      return 0;
    }
    strides[d] = in_dims[d] == 1 ? 0 : step;
    step *= in_dims[d];
  }
  s->n = strides[0];
  s->h = strides[1];
  s->w = strides[2];
  s->c = strides[3];
  return 1;
}

static inline int tfg_nn_same_dims(const tfg_dims *a, const tfg_dims *b) {
  return a->n == b->n && a->h == b->h && a->w == b->w && a->c == b->c;
}

#endif /* TFG_NN_BROADCAST_H */
