/*
 * int8 ADD with broadcasting, TFLite's scheme: inputs are offset, shifted left (20 bits for int8) for headroom,
 * rescaled to twice the larger input scale, summed, and the sum rescaled to the output scale.
 *
 * Every per-element decision is made once per call: each input's rescale is classified as exact (the multiplier
 * times 2^left_shift is a multiple of 2^(31 + right shift): a plain multiply, as for the input whose scale is the
 * larger one, multiplier 2^30 and shift 0), one-SMLAL (right shift >= 2) or general; the output takes the
 * one-SMLAL form when its shift allows. Same-shape inputs (residual connections) run one flat loop that, on the
 * DSP path, packs and clamps 4 outputs per word.
 */
#include "../support/tfg_nn_broadcast.h"
#include "../support/tfg_nn_dsp.h"

enum { ADD_SCALE_EXACT, ADD_SCALE_FAST, ADD_SCALE_GENERAL };

typedef struct {
  int32_t mode;
  int32_t offset;
  int32_t left_shift;
  int32_t multiplier;
  int32_t shift;
  /* ADD_SCALE_EXACT: the rescaled value is (q + offset) * factor. */
  int32_t factor;
  tfg_nn_fast_quant fast;
} add_input_scale;

typedef struct {
  add_input_scale in1, in2;
  int32_t out_fast;
  tfg_nn_fast_quant out;
  const tfg_add_params *p;
} add_plan;

static void plan_input(int32_t offset, int32_t multiplier, int32_t shift, int32_t left_shift, add_input_scale *s) {
  s->offset = offset;
  s->left_shift = left_shift;
  s->multiplier = multiplier;
  s->shift = shift;
  s->factor = 0;
  /* shift <= 0 and multiplier >= 0 here; (v * 2^ls * m) / 2^(31 - shift) is exact for every v when the divisor
     divides m * 2^ls, and then neither rounding step of TFLite's two can change it. */
  const int64_t scaled = (int64_t)multiplier << left_shift;
  const int64_t divisor = (int64_t)1 << (31 - shift);
  if (scaled % divisor == 0 && scaled / divisor <= (1 << 22)) {
    s->mode = ADD_SCALE_EXACT;
    s->factor = (int32_t)(scaled / divisor);
  } else if (tfg_nn_fast_quant_init(multiplier, shift, &s->fast)) {
    s->mode = ADD_SCALE_FAST;
  } else {
    s->mode = ADD_SCALE_GENERAL;
  }
}

/* The rescaled input; `mode` and `left_shift` (-1: s->left_shift) are constants where the loops below are
   specialized, so that the shift folds into the offset's add. */
static inline __attribute__((always_inline)) int32_t scale_input(int32_t q, const add_input_scale *s, int32_t mode,
                                                                 int32_t left_shift) {
  const int32_t v = q + s->offset;
  if (mode == ADD_SCALE_EXACT) {
    return v * s->factor;
  }
  const int32_t shifted = left_shift >= 0 ? q * (1 << left_shift) + s->offset * (1 << left_shift)
                                          : v * (1 << s->left_shift);
  return mode == ADD_SCALE_FAST
             ? tfg_nn_requantize_fast(shifted, s->fast.multiplier, s->fast.round_hi, s->fast.post_shift)
             : tfg_nn_requantize(shifted, s->multiplier, s->shift);
}

/* The output value before clamping: sum rescaled, plus the output offset. */
static inline __attribute__((always_inline)) int32_t add_unclamped(const add_plan *plan, int32_t a, int32_t b,
                                                                   int32_t mode1, int32_t mode2, int32_t out_fast,
                                                                   int32_t left_shift) {
  const int32_t sum = scale_input(a, &plan->in1, mode1, left_shift) + scale_input(b, &plan->in2, mode2, left_shift);
  const tfg_nn_fast_quant *o = &plan->out;
  const int32_t scaled = out_fast ? tfg_nn_requantize_fast(sum, o->multiplier, o->round_hi, o->post_shift)
                                  : tfg_nn_requantize(sum, plan->p->output_multiplier, plan->p->output_shift);
  return scaled + plan->p->output_offset;
}

/* Any plan, one element: the broadcasting walk and the plans without a specialized loop. */
static int8_t add_one(const add_plan *plan, int32_t a, int32_t b) {
  return tfg_nn_clamp_s8(add_unclamped(plan, a, b, plan->in1.mode, plan->in2.mode, plan->out_fast, -1),
                         &plan->p->activation);
}

/* TFLite's left shift for int8 ADD. */
#define ADD_INT8_LEFT_SHIFT 20

static inline __attribute__((always_inline)) int32_t add_exact2(const add_plan *plan, int32_t a, int32_t b,
                                                                int32_t mode1) {
  return add_unclamped(plan, a, b, mode1, ADD_SCALE_EXACT, 1, ADD_INT8_LEFT_SHIFT);
}

/* Same-shape loop for input 1 rescaled by `mode1`, input 2 exact, output one-SMLAL, left shift 20 (every MLPerf
   ADD). */
static inline __attribute__((always_inline)) void add_same_shape_exact2(const add_plan *plan, const int8_t *a,
                                                                        const int8_t *b, int32_t size, int8_t *out,
                                                                        int32_t mode1) {
  int32_t i = 0;
#if TFG_NN_HAS_DSP
  const uint32_t min4 = tfg_dup8(plan->p->activation.min), max4 = tfg_dup8(plan->p->activation.max);
  for (; i + 4 <= size; i += 4) {
    const uint32_t word = tfg_pack4_clamp(add_exact2(plan, a[i], b[i], mode1),
                                          add_exact2(plan, a[i + 1], b[i + 1], mode1),
                                          add_exact2(plan, a[i + 2], b[i + 2], mode1),
                                          add_exact2(plan, a[i + 3], b[i + 3], mode1), min4, max4);
    memcpy(out + i, &word, sizeof(word));
  }
#endif
  for (; i < size; i++) {
    out[i] = tfg_nn_clamp_s8(add_exact2(plan, a[i], b[i], mode1), &plan->p->activation);
  }
}

#if TFG_NN_HAS_MVE
#include <arm_mve.h>

/*
 * Helium: 4 elements per vector. An input rescale is exact (a multiply by its factor) or TFLite's two roundings as
 * VQRDMULH, a sign fix-up where there is a right shift (a mask of all ones, else zeros) and VRSHL; the output's
 * the same. Bit-exact for every plan (the exact mode is exact by construction).
 */
typedef struct {
  int32_t exact;
  int32_t offset;
  int32_t factor;
  int32_t left_shift;
  int32_t multiplier;
  int32_t right_shift;
  int32x4_t fix_mask;
} add_mve_scale;

static add_mve_scale mve_scale_of(const add_input_scale *s) {
  const int32_t right = s->shift < 0 ? s->shift : 0;
  const add_mve_scale m = {s->mode == ADD_SCALE_EXACT, s->offset,      s->factor,         s->left_shift,
                           s->multiplier,              right,          vdupq_n_s32(right < 0 ? -1 : 0)};
  return m;
}

static inline __attribute__((always_inline)) int32x4_t mve_rounding_rescale(int32x4_t v, int32_t multiplier,
                                                                           int32_t right, int32x4_t fix_mask) {
  const int32x4_t high = vqrdmulhq_n_s32(v, multiplier);
  return vrshlq_n_s32(vqaddq_s32(high, vandq_s32(vshrq_n_s32(high, 31), fix_mask)), right);
}

static inline __attribute__((always_inline)) int32x4_t mve_scale_input(int32x4_t q, const add_mve_scale *s,
                                                                      int exact) {
  const int32x4_t v = vaddq_n_s32(q, s->offset);
  if (exact) {
    return vmulq_n_s32(v, s->factor);
  }
  return mve_rounding_rescale(vshlq_r_s32(v, s->left_shift), s->multiplier, s->right_shift, s->fix_mask);
}

/* One vector of outputs; the modes are constants where it is inlined (one loop per pair of modes). */
static inline __attribute__((always_inline)) int32x4_t mve_add4(int32x4_t qa, int32x4_t qb, const add_mve_scale *s1,
                                                               const add_mve_scale *s2, int exact1, int exact2,
                                                               const add_mve_scale *o, int32x4_t act_min,
                                                               int32x4_t act_max) {
  const int32x4_t sum = vaddq_s32(mve_scale_input(qa, s1, exact1), mve_scale_input(qb, s2, exact2));
  const int32x4_t v = mve_rounding_rescale(vshlq_r_s32(sum, o->left_shift), o->multiplier, o->right_shift, o->fix_mask);
  return vminq_s32(vmaxq_s32(vaddq_n_s32(v, o->offset), act_min), act_max);
}

static inline __attribute__((always_inline)) void add_loop_mve(const add_mve_scale *s1, const add_mve_scale *s2,
                                                               const add_mve_scale *o, int32x4_t act_min,
                                                               int32x4_t act_max, const int8_t *a, const int8_t *b,
                                                               int32_t size, int8_t *out, int exact1, int exact2) {
  int32_t i = 0;
  for (; i + 4 <= size; i += 4) {
    vstrbq_s32(out + i,
               mve_add4(vldrbq_s32(a + i), vldrbq_s32(b + i), s1, s2, exact1, exact2, o, act_min, act_max));
  }
  if (i < size) {
    const mve_pred16_t pr = vctp32q((uint32_t)(size - i));
    vstrbq_p_s32(out + i, mve_add4(vldrbq_z_s32(a + i, pr), vldrbq_z_s32(b + i, pr), s1, s2, exact1, exact2, o,
                                   act_min, act_max),
                 pr);
  }
}

static void add_same_shape_mve(const add_plan *plan, const int8_t *a, const int8_t *b, int32_t size, int8_t *out) {
  add_mve_scale s1 = mve_scale_of(&plan->in1), s2 = mve_scale_of(&plan->in2);
  const tfg_add_params *p = plan->p;
  /* The output rescale in the same form: its offset is added after it. */
  const int32_t out_right = p->output_shift < 0 ? p->output_shift : 0;
  const add_mve_scale o = {0, p->output_offset, 0, p->output_shift > 0 ? p->output_shift : 0, p->output_multiplier,
                           out_right, vdupq_n_s32(out_right < 0 ? -1 : 0)};
  const int32x4_t act_min = vdupq_n_s32(p->activation.min), act_max = vdupq_n_s32(p->activation.max);
  /* The sum is symmetric in its two terms: put an exact input second. */
  if (s1.exact && !s2.exact) {
    const add_mve_scale t = s1;
    s1 = s2;
    s2 = t;
    const int8_t *u = a;
    a = b;
    b = u;
  }
  if (s1.exact) {
    add_loop_mve(&s1, &s2, &o, act_min, act_max, a, b, size, out, 1, 1);
  } else if (s2.exact) {
    add_loop_mve(&s1, &s2, &o, act_min, act_max, a, b, size, out, 0, 1);
  } else {
    add_loop_mve(&s1, &s2, &o, act_min, act_max, a, b, size, out, 0, 0);
  }
}
#endif

static void add_same_shape(add_plan *plan, const int8_t *a, const int8_t *b, int32_t size, int8_t *out) {
#if TFG_NN_HAS_MVE
  add_same_shape_mve(plan, a, b, size, out);
#else
  /* The sum is symmetric in its two terms: put the exact input second. */
  if (plan->in1.mode == ADD_SCALE_EXACT && plan->in2.mode != ADD_SCALE_EXACT) {
    const add_input_scale s = plan->in1;
    plan->in1 = plan->in2;
    plan->in2 = s;
    const int8_t *t = a;
    a = b;
    b = t;
  }
  const int32_t specialized =
      plan->out_fast && plan->in2.mode == ADD_SCALE_EXACT && plan->in1.left_shift == ADD_INT8_LEFT_SHIFT;
  if (specialized && plan->in1.mode == ADD_SCALE_FAST) {
    add_same_shape_exact2(plan, a, b, size, out, ADD_SCALE_FAST);
  } else if (specialized && plan->in1.mode == ADD_SCALE_GENERAL) {
    add_same_shape_exact2(plan, a, b, size, out, ADD_SCALE_GENERAL);
  } else {
    for (int32_t i = 0; i < size; i++) {
      out[i] = add_one(plan, a[i], b[i]);
    }
  }
#endif
}

tfg_status tfg_elementwise_add_s8(const tfg_add_params *params, const tfg_dims *input1_dims, const int8_t *input1,
                                  const tfg_dims *input2_dims, const int8_t *input2, const tfg_dims *output_dims,
                                  int8_t *output) {
  tfg_nn_strides s1, s2;
  if (params->left_shift < 0 || params->left_shift > 30 || params->input1_shift > 0 || params->input2_shift > 0 ||
      params->input1_shift < -31 || params->input2_shift < -31 || params->input1_multiplier < 0 ||
      params->input2_multiplier < 0 || !tfg_nn_broadcast_strides(input1_dims, output_dims, &s1) ||
      !tfg_nn_broadcast_strides(input2_dims, output_dims, &s2)) {
    return TFG_ARG_ERROR;
  }
  add_plan plan;
  plan_input(params->input1_offset, params->input1_multiplier, params->input1_shift, params->left_shift, &plan.in1);
  plan_input(params->input2_offset, params->input2_multiplier, params->input2_shift, params->left_shift, &plan.in2);
  plan.out_fast = tfg_nn_fast_quant_init(params->output_multiplier, params->output_shift, &plan.out);
  plan.p = params;
  if (tfg_nn_same_dims(input1_dims, output_dims) && tfg_nn_same_dims(input2_dims, output_dims)) {
    add_same_shape(&plan, input1, input2, output_dims->n * output_dims->h * output_dims->w * output_dims->c, output);
    return TFG_OK;
  }
  for (int32_t n = 0; n < output_dims->n; n++) {
    for (int32_t h = 0; h < output_dims->h; h++) {
      for (int32_t w = 0; w < output_dims->w; w++) {
        const int8_t *a = input1 + n * s1.n + h * s1.h + w * s1.w;
        const int8_t *b = input2 + n * s2.n + h * s2.h + w * s2.w;
        for (int32_t c = 0; c < output_dims->c; c++) {
          *output++ = add_one(&plan, a[c * s1.c], b[c * s2.c]);
        }
      }
    }
  }
  return TFG_OK;
}
