/*
 * The board application of a model firmware: announce the model, then forever receive one input over the link,
 * run the model, send its outputs and the result (invoke status, run number, counter ticks of the invoke).
 * Built with TINYFORGE_PROFILE (plus tfg_profile.c, tfg_model_profiled.c and the layer table) every inference
 * also streams the profiler's per-layer and per-inference records, before its outputs.
 *
 * The model comes from a header the firmware builder generates, tfg_app_model.h, which defines:
 *   TFG_APP_INPUT_BYTES, TFG_APP_OUTPUT_BYTES   all inputs / all outputs back to back, in model order
 *   TFG_APP_LAYER_COUNT, TFG_APP_ARENA_BYTES    announced to the host
 *   TFG_APP_INPUT_SPANS, TFG_APP_OUTPUT_SPANS   the model's own input / output tensors (in its arena), in model order
 *   TFG_APP_RUN()                               the model's run on those tensors
 *   TFG_APP_INVOKE(input, output)               the model's invoke on two buffers of the sizes above (copies)
 *   TFG_APP_MODEL_SOURCE                        the model's C file (for tfg_model_profiled.c)
 * The link application receives each input straight into the model's input tensors and sends the outputs from its
 * output tensors: no second copy of either in RAM. After each inference it reports the stack's high-water mark
 * (painted at reset by the board's startup code). The MLPerf application keeps a copy of the input, which the
 * runner's `infer N` runs N times while the model's layers reuse its input tensor's bytes.
 * The profiler's layer table is `tfg_app_profile_layers` / `tfg_app_profile_layers_count` (serial-profiler's
 * profileLayerTableC writes it). The board's build defines TFG_CYCLES_DWT or TFG_CYCLES_SYSTICK.
 *
 * Built with TFG_APP_MLPERF (and tfg_mlperf.c) the console speaks the MLPerf Tiny benchmark runner's text protocol
 * instead (tfg_mlperf.h): TFG_APP_MLPERF_MODEL is the model id it announces; the header's optional
 * TFG_APP_OUTPUT_SCALE / TFG_APP_OUTPUT_ZERO_POINT / TFG_APP_OUTPUT0_VALUES let `results` print real values.
 */
#include <stdint.h>
#include "tfg_app_model.h"
#include "tfg_board.h"
#include "tfg_link.h"

#ifdef TINYFORGE_PROFILE
#include "tfg_profile.h"
extern const tfg_profile_layer_t tfg_app_profile_layers[];
extern const uint16_t tfg_app_profile_layers_count;
#if defined(TFG_CYCLES_DWT)
#define TFG_APP_COUNTER TFG_PROFILE_COUNTER_DWT
#elif defined(TFG_CYCLES_SYSTICK)
#define TFG_APP_COUNTER TFG_PROFILE_COUNTER_SYSTICK
#else
#define TFG_APP_COUNTER TFG_PROFILE_COUNTER_OTHER
#endif
#endif

#ifdef TFG_APP_MLPERF
static int8_t input[TFG_APP_INPUT_BYTES] __attribute__((aligned(16)));
static int8_t output[TFG_APP_OUTPUT_BYTES] __attribute__((aligned(16)));
#include "tfg_mlperf.h"
#ifndef TFG_APP_MLPERF_MODEL
#define TFG_APP_MLPERF_MODEL "unknown"
#endif
#ifndef TFG_APP_OUTPUT0_VALUES
#define TFG_APP_OUTPUT0_VALUES TFG_APP_OUTPUT_BYTES
#endif

static uint32_t mlperf_invoke(void) { return (uint32_t)TFG_APP_INVOKE(input, output); }

int main(void) {
  static const tfg_mlperf_device_t device = {
      (uint8_t *)input, TFG_APP_INPUT_BYTES, output, TFG_APP_OUTPUT0_VALUES,
#ifdef TFG_APP_OUTPUT_SCALE
      1, TFG_APP_OUTPUT_SCALE, TFG_APP_OUTPUT_ZERO_POINT,
#else
      0, 0.0f, 0,
#endif
      mlperf_invoke, tfg_cycles_read, 0u, TFG_APP_MLPERF_MODEL, tfg_console_putc};
  tfg_mlperf_device_t running = device;
  running.ticks_hz = tfg_board_clock_hz;
  tfg_mlperf_start(&running);
  for (;;) tfg_mlperf_receive(&running, (char)tfg_console_getc());
}
#else

int main(void) {
  uint32_t run = 0;
  const tfg_link_input_span_t inputs[] = TFG_APP_INPUT_SPANS;
  const tfg_link_output_span_t outputs[] = TFG_APP_OUTPUT_SPANS;
#ifdef TINYFORGE_PROFILE
  tfg_profile_init(tfg_app_profile_layers, tfg_app_profile_layers_count, TFG_APP_COUNTER, tfg_board_clock_hz);
#endif
  tfg_link_send_ready(TFG_APP_INPUT_BYTES, TFG_APP_OUTPUT_BYTES, TFG_APP_LAYER_COUNT, TFG_APP_ARENA_BYTES);
  for (;;) {
    uint32_t start, ticks, status;
    tfg_link_receive_input_spans(inputs, (uint32_t)(sizeof inputs / sizeof inputs[0]));
#ifdef TINYFORGE_PROFILE
    tfg_profile_inference_begin();
#endif
    start = tfg_cycles_read();
    status = (uint32_t)TFG_APP_RUN();
    ticks = tfg_cycles_read() - start;
#ifdef TINYFORGE_PROFILE
    tfg_profile_inference_end();
#endif
    tfg_link_send_output_spans(outputs, (uint32_t)(sizeof outputs / sizeof outputs[0]));
    tfg_link_send_result(status, run++, ticks, tfg_stack_high_water(), tfg_stack_size());
  }
}
#endif
