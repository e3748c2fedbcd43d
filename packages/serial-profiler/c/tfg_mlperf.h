/*
 * The EEMBC / MLPerf Tiny benchmark runner's device protocol on the console UART, so the official runner (or
 * `tinyforge mlperf`) can drive a tinyforge firmware. Text, not link frames: the runner sends commands ending in
 * '%' (at most 80 characters, words separated by spaces); every reply line ends in "\r\n" and every command ends with
 * "m-ready". At start: "m-timestamp-mode-performance", "m-init-done", "m-ready".
 *
 *   name                 m-name-dut-[tinyforge]
 *   profile              m-profile-[tinyforge MLPerf Tiny runner protocol 1], m-model-[<model id>]
 *   timestamp            m-lap-us-<board time in us>
 *   db load N            m-[Expecting N bytes]  (N = the model's input bytes, all inputs back to back)
 *   db <hex digits>      loads bytes in order; m-load-done once N have arrived
 *   db print             m-buffer-xx-xx-…, 8 bytes a line
 *   infer N [W]          W warm-up inferences (default 10), then N timed ones:
 *                        m-warmup-start-W, m-warmup-done, m-infer-start-N, m-lap-us-T0, m-lap-us-T1,
 *                        m-tfg-ticks-<counter ticks of the N inferences>, m-infer-done, m-results-[…]
 *   results              m-results-[v0,v1,…]: the first output's values (dequantized, 3 decimals, when the
 *                        firmware knows its scale; else the int8 values)
 *   anything else        e-[Unknown command: <word>]
 *
 * The test vectors (test-vectors/mlperf.json) fix these exchanges for the C (test/host/mlperf_host.c) and the host
 * side (src/protocol/mlperf.ts).
 */
#ifndef TFG_MLPERF_H
#define TFG_MLPERF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFG_MLPERF_COMMAND_MAX 80u

typedef struct {
  /** Where `db` loads the bytes: the model's input buffer, `input_bytes` long. */
  uint8_t *input;
  uint32_t input_bytes;
  /** The first output's int8 values, shown by `results`. */
  const int8_t *output;
  uint32_t output_values;
  /** Dequantization of the output (has_output_scale 0: print the int8 values). */
  int has_output_scale;
  float output_scale;
  int32_t output_zero_point;
  /** One inference on `input`; 0 = ok, else the failing layer + 1. */
  uint32_t (*invoke)(void);
  /** Free-running counter and its rate (ticks per second). */
  uint32_t (*ticks)(void);
  uint32_t ticks_hz;
  /** The benchmark's model id: kws01, ad01, ic01, vww01, … */
  const char *model_id;
  void (*put)(uint8_t c);
} tfg_mlperf_device_t;

/* The start-up lines. */
void tfg_mlperf_start(const tfg_mlperf_device_t *device);
/* One received character; at '%' the command runs and its replies are sent. */
void tfg_mlperf_receive(const tfg_mlperf_device_t *device, char c);

#ifdef __cplusplus
}
#endif

#endif /* TFG_MLPERF_H */
