/*
 * Host test of the hooks: a fake counter that advances 5 per read (the visible cost of a read) and by exactly the
 * "work" of each layer, so every count the profiler sends is known. Frames go to stdout as hex, with a line of
 * printf-style text in between to check interleaving. Built with and without TINYFORGE_PROFILE.
 */
#include <stdio.h>
#include "tfg_profile.h"

static uint32_t fake_now = 0xFFFFF000u; /* close to the wrap: differences must survive it */

uint32_t tfg_cycles_read(void) {
  fake_now += 5u;
  return fake_now;
}

void tfg_console_putc(uint8_t c) { printf("%02x", c); }

/* The link's receiving end is not used here. */
uint8_t tfg_console_getc(void) { return 0u; }

static void console_text(const char *s) {
  while (*s != '\0') tfg_console_putc((uint8_t)*s++);
}

static const uint32_t shape0[] = {1, 24, 24, 8};
static const uint32_t shape2[] = {1, 10};
static const tfg_profile_layer_t layers[3] = {
    {"conv2d_1", "Conv2D", 3, 41472u, shape0, 4},
    {0, 0, 7, 0u, 0, 0}, /* no table entry: no layer-info frame */
    {"dense", "FullyConnected", 9, 46080u, shape2, 2},
};
static const uint32_t work[2][3] = {{1000u, 0u, 70000u}, {1200u, 7u, 69000u}};

int main(void) {
  tfg_profile_init(layers, 3, TFG_PROFILE_COUNTER_SYSTICK, 25000000u);
  console_text("model ready\n");
  for (uint32_t run = 0; run < 2; run++) {
    tfg_profile_inference_begin();
    for (uint32_t i = 0; i < 3; i++) {
      TINYFORGE_LAYER_BEGIN(i);
      fake_now += work[run][i];
      TINYFORGE_LAYER_END(i);
      fake_now += 3u; /* glue between layers */
    }
    tfg_profile_inference_end();
  }
  printf("\n");
  return 0;
}
