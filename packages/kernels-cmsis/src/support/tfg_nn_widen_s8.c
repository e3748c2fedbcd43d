/*
 * Receptive fields of output pixel pairs widened to int16 with the input offset added, in the layout of the DSP
 * convolution GEMMs (the pair GEMM of tfg_convolve_s8 and tfg_convolve_packed_s8): per 4 depth values, pixel 0
 * (x0, x2) (x1, x3), then pixel 1 the same; padding taps are zeros. Declared in tfg_nn_support.h.
 */
#include "tfg_nn_dsp.h"
#include "tfg_nn_support.h"

/* Values x[0..3] + offset as this pixel's two words of a step: (x0, x2) and (x1, x3). offset2: offset in both halves. */
static inline void widen_step(const int8_t *x, int32_t offset2, int32_t *dst) {
#if TFG_NN_HAS_DSP
  const int32_t word = tfg_nn_read_s8x4(x);
  dst[0] = tfg_sxtab16(offset2, word);
  dst[1] = tfg_sxtab16_ror8(offset2, word);
#else
  const int32_t offset = (int32_t)(int16_t)(uint16_t)((uint32_t)offset2 & 0xFFFFu);
  dst[0] = (int32_t)(((uint32_t)(x[2] + offset) << 16) | ((uint32_t)(x[0] + offset) & 0xFFFFu));
  dst[1] = (int32_t)(((uint32_t)(x[3] + offset) << 16) | ((uint32_t)(x[1] + offset) & 0xFFFFu));
#endif
}

/* `steps` steps of 4 input bytes into every fourth pair of words from dst. */
static inline int32_t *widen_steps(const int8_t *src, int32_t steps, int32_t offset2, int32_t *dst) {
  for (int32_t s = 0; s < steps; s++, src += 4, dst += 4) {
    widen_step(src, offset2, dst);
  }
  return dst;
}

/* `steps` steps of padding: this pixel's words 0. */
static inline int32_t *zero_steps(int32_t *dst, int32_t steps) {
  for (int32_t s = 0; s < steps; s++, dst += 4) {
    dst[0] = 0;
    dst[1] = 0;
  }
  return dst;
}

void tfg_nn_field_geometry_init(tfg_nn_field_geometry *g, const tfg_conv_params *p, const tfg_dims *in,
                                const tfg_dims *f, int32_t stage_depth) {
  const tfg_nn_field_geometry geometry = {
      in->h, in->w, in->c, f->h, f->w, p->stride.h, p->stride.w, p->padding.h, p->padding.w, p->dilation.h,
      p->dilation.w, (int32_t)(((uint32_t)p->input_offset << 16) | ((uint32_t)p->input_offset & 0xFFFFu)),
      stage_depth, (int8_t)(-p->input_offset)};
  *g = geometry;
}

void tfg_nn_widen_field(const tfg_nn_field_geometry *g, const int8_t *input_batch, int32_t oy, int32_t ox,
                        int32_t which, int32_t *pair, int8_t *stage) {
  const int32_t ci = g->ci, iy0 = oy * g->stride_h - g->pad_h, ix0 = ox * g->stride_w - g->pad_w;
  int32_t *dst = pair + 2 * which;
  int8_t *col = stage;
  for (int32_t ky = 0; ky < g->f_h; ky++) {
    const int32_t iy = iy0 + ky * g->dil_h;
    const int row_inside = iy >= 0 && iy < g->in_h;
    const int8_t *row = input_batch + (row_inside ? iy : 0) * g->in_w * ci;
    if (g->dil_w == 1) {
      /* Taps kx_lo..kx_hi-1 are inside and adjacent in the input row: one run; the rest is padding. */
      const int32_t kx_hi = row_inside ? TFG_MAX(0, TFG_MIN(g->f_w, g->in_w - ix0)) : 0;
      const int32_t kx_lo = TFG_MIN(TFG_MAX(0, -ix0), kx_hi);
      if (stage != 0) {
        memset(col, g->pad_value, (size_t)(kx_lo * ci));
        if (kx_hi > kx_lo) {
          memcpy(col + kx_lo * ci, row + (ix0 + kx_lo) * ci, (size_t)((kx_hi - kx_lo) * ci));
        }
        memset(col + kx_hi * ci, g->pad_value, (size_t)((g->f_w - kx_hi) * ci));
        col += g->f_w * ci;
      } else {
        const int32_t steps_per_tap = ci / 4;
        dst = zero_steps(dst, kx_lo * steps_per_tap);
        if (kx_hi > kx_lo) {
          dst = widen_steps(row + (ix0 + kx_lo) * ci, (kx_hi - kx_lo) * steps_per_tap, g->offset2, dst);
        }
        dst = zero_steps(dst, (g->f_w - kx_hi) * steps_per_tap);
      }
      continue;
    }
    for (int32_t kx = 0; kx < g->f_w; kx++) {
      const int32_t ix = ix0 + kx * g->dil_w;
      const int inside = row_inside && ix >= 0 && ix < g->in_w;
      if (stage != 0) {
        if (inside) {
          memcpy(col, row + ix * ci, (size_t)ci);
        } else {
          memset(col, g->pad_value, (size_t)ci);
        }
        col += ci;
      } else if (inside) {
        dst = widen_steps(row + ix * ci, ci / 4, g->offset2, dst);
      } else {
        dst = zero_steps(dst, ci / 4);
      }
    }
  }
  if (stage != 0) {
    (void)widen_steps(stage, g->stage_depth / 4, g->offset2, dst);
  }
}
