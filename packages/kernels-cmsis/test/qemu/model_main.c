/*
 * A whole model on emulated Cortex-M: every layer's kernel call in order, each layer's output feeding the next,
 * with the instruction count of each call from SysTick under QEMU -icount (see tfg_model.h). Prints one line per
 * layer ("layer <i> <status> <ticks>") and the FNV-1a hash of the model output ("output <hash>").
 */
#include <stdint.h>

#include "../common/tfg_vector.h"
#include "tfg_model.h"

void tfg_test_print(const char *text);

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_MASK 0x00FFFFFFu

static uint32_t scratch[TFG_MODEL_SCRATCH_BYTES / 4 + 1];

static char *put_text(char *p, const char *s) {
  while (*s != '\0') *p++ = *s++;
  return p;
}

static char *put_u32(char *p, uint32_t v) {
  char digits[10];
  int32_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  while (n > 0) *p++ = digits[--n];
  return p;
}

static char *put_hex(char *p, uint32_t v) {
  const char hex[] = "0123456789abcdef";
  for (int32_t s = 28; s >= 0; s -= 4) *p++ = hex[(v >> s) & 15u];
  return p;
}

static void print_layer(int32_t index, int32_t status, uint32_t ticks) {
  char line[64];
  char *p = put_text(line, "layer ");
  p = put_u32(p, (uint32_t)index);
  p = put_text(p, status < 0 ? " -" : " ");
  p = put_u32(p, (uint32_t)(status < 0 ? -status : status));
  p = put_text(p, " ");
  p = put_u32(p, ticks);
  p = put_text(p, "\n");
  *p = '\0';
  tfg_test_print(line);
}

int tfg_selftest_main(void) {
  int8_t *const arena = (int8_t *)tfg_model_arena;
  for (int32_t i = 0; i < tfg_model_input_size; i++) arena[tfg_model_input_offset + i] = tfg_model_input[i];
  SYST_RVR = SYST_MASK;
  SYST_CSR = 5u; /* enabled, processor clock, no interrupt */
  for (int32_t l = 0; l < tfg_model_num_layers; l++) {
    const tfg_model_layer *layer = &tfg_model_layers[l];
    tfg_vector v;
    if (!tfg_vector_parse(tfg_model_vectors + layer->vector_offset, layer->vector_size, &v)) {
      print_layer(l, -100, 0);
      return 1;
    }
    const int8_t *inputs[2] = {arena + layer->input_offset[0], arena + layer->input_offset[1]};
    const int32_t scratch_size = tfg_vector_scratch_size(&v);
    if (scratch_size > (int32_t)sizeof(scratch)) {
      print_layer(l, -101, 0);
      return 1;
    }
    SYST_CVR = 0u; /* any write reloads the counter */
    const uint32_t start = SYST_CVR;
    const tfg_status status = tfg_vector_run(&v, inputs, arena + layer->output_offset, scratch, scratch_size);
    const uint32_t end = SYST_CVR;
    print_layer(l, (int32_t)status, (start - end) & SYST_MASK);
    if (status != TFG_OK) return 1;
  }
  uint32_t hash = 2166136261u;
  for (int32_t i = 0; i < tfg_model_output_size; i++) {
    hash = (hash ^ (uint8_t)arena[tfg_model_output_offset + i]) * 16777619u;
  }
  char line[32];
  char *p = put_hex(put_text(line, "output "), hash);
  p = put_text(p, "\n");
  *p = '\0';
  tfg_test_print(line);
  return 0;
}
