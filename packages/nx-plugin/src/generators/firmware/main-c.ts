/**
 * The starting main.c of a generated firmware project: the board application's loop written out for you to change.
 * It speaks the board <-> host link (tfg_link.h, the protocol `tinyforge run` and the nx run target use): the host
 * sends each input, the board runs the model and sends the outputs and the counter ticks. Replace the receive with
 * your sensor and the send with your use of the outputs; the model's sizes and invoke call come from the
 * generated tfg_app_model.h (the model API itself is model.h).
 */
export function firmwareMainC(name: string, board: string, model: string): string {
  return `/* ${name}: firmware for ${board} running ${model.replace(/\*\//g, '* /')}.
 * The build (nx run ${name}:build) generates model.h / model.c and tfg_app_model.h beside the kernels, and links
 * tfg_link.c (the board <-> host link) and the board support, which initialises clocks, console and counter
 * before main(). */
#include <stdint.h>
#include "tfg_app_model.h"
#include "tfg_board.h"
#include "tfg_link.h"

/* All model inputs / outputs back to back, in model order. */
static int8_t input[TFG_APP_INPUT_BYTES];
static int8_t output[TFG_APP_OUTPUT_BYTES];

int main(void) {
  uint32_t run = 0;
  tfg_link_send_ready(TFG_APP_INPUT_BYTES, TFG_APP_OUTPUT_BYTES, TFG_APP_LAYER_COUNT, TFG_APP_ARENA_BYTES);
  for (;;) {
    /* Your sensor goes here: until then the host sends each input. */
    tfg_link_receive_input((uint8_t *)input, sizeof input);
    const uint32_t start = tfg_cycles_read();
    const int status = TFG_APP_INVOKE(input, output);
    const uint32_t ticks = tfg_cycles_read() - start;
    /* Act on the output here: until then it goes back to the host with the status (0 = ok) and the ticks. */
    tfg_link_send_output((const uint8_t *)output, sizeof output);
    tfg_link_send_result((uint32_t)status, run++, ticks);
  }
}
`;
}
