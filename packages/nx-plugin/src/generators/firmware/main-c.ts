/**
 * The starting main.c of a generated firmware project: the board application's loop written out for you to change.
 * It speaks the board <-> host link (tfg_link.h, the protocol `tinyforge run` and the nx run target use): the host
 * sends each input, the board runs the model and sends the outputs and the counter ticks. Replace the receive with
 * your sensor and the send with your use of the outputs; the model's sizes, tensors and run come from the
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

int main(void) {
  uint32_t run = 0;
  /* The model's own input and output tensors in its arena: received into and sent from in place, no copies. */
  const tfg_link_input_span_t inputs[] = TFG_APP_INPUT_SPANS;
  const tfg_link_output_span_t outputs[] = TFG_APP_OUTPUT_SPANS;
  tfg_link_send_ready(TFG_APP_INPUT_BYTES, TFG_APP_OUTPUT_BYTES, TFG_APP_LAYER_COUNT, TFG_APP_ARENA_BYTES);
  for (;;) {
    /* Your sensor goes here (writing the input tensors): until then the host sends each input. */
    tfg_link_receive_input_spans(inputs, (uint32_t)(sizeof inputs / sizeof inputs[0]));
    const uint32_t start = tfg_cycles_read();
    const int status = TFG_APP_RUN();
    const uint32_t ticks = tfg_cycles_read() - start;
    /* Act on the output tensors here: until then they go back to the host with the status (0 = ok), the ticks and
     * the stack's high-water mark (the startup code paints the stack). */
    tfg_link_send_output_spans(outputs, (uint32_t)(sizeof outputs / sizeof outputs[0]));
    tfg_link_send_result((uint32_t)status, run++, ticks, tfg_stack_high_water(), tfg_stack_size());
  }
}
`;
}
