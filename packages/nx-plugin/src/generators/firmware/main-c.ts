/**
 * The starting main.c of a generated firmware project: run the model once on a zero-valued input and print the
 * status and the counter ticks. Users replace the input with sensor data; the model API stays model.h.
 */
export function firmwareMainC(name: string, board: string, model: string): string {
  return `/* ${name}: firmware for ${board} running ${model.replace(/\*\//g, '* /')}.
 * The model's C comes from \`nx run ${name}:codegen\` (dist/.../codegen/model.h): model_invoke(input, output).
 * The board support (tfg_board.h) initialises clocks, console and counter before main() and exits after it. */
#include <stdint.h>
#include "tfg_board.h"
#include "model.h"

#if MODEL_INPUT_COUNT != 1 || MODEL_OUTPUT_COUNT != 1
#error "this main.c feeds one input and reads one output: extend it for your model's inputs and outputs"
#endif

static int8_t input[MODEL_INPUT0_SIZE];
static int8_t output[MODEL_OUTPUT0_SIZE];

static void put_dec(const char *label, int32_t v) {
  char text[12];
  int at = 11;
  uint32_t u = v < 0 ? (uint32_t)(-(v + 1)) + 1u : (uint32_t)v;
  text[at] = 0;
  do {
    text[--at] = (char)('0' + u % 10u);
    u /= 10u;
  } while (u != 0u);
  if (v < 0) text[--at] = '-';
  tfg_console_puts(label);
  tfg_console_puts(text + at);
}

int main(void) {
  /* A real-valued zero is the zero point in int8. */
  for (uint32_t i = 0; i < MODEL_INPUT0_SIZE; i++) input[i] = (int8_t)MODEL_INPUT0_ZERO_POINT;
  uint32_t start = tfg_cycles_read();
  int status = model_invoke(input, output);
  uint32_t ticks = tfg_cycles_read() - start;
  put_dec("${name}: invoke status ", status);
  put_dec(", ticks ", (int32_t)ticks);
  put_dec(", output[0] ", output[0]);
  tfg_console_puts("\\n");
  return status;
}
`;
}
