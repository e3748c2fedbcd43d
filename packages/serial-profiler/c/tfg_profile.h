/*
 * tinyforge on-board profiler: per-layer hooks and the frame encoder.
 *
 * The generated code brackets every layer with TINYFORGE_LAYER_BEGIN(i) / TINYFORGE_LAYER_END(i) and every
 * inference with tfg_profile_inference_begin() / _end(). The hooks only read the counter and store the difference
 * (so the UART does not disturb what is measured); tfg_profile_inference_end() then sends one frame per layer
 * and one per inference. Built without TINYFORGE_PROFILE the hooks compile to nothing.
 *
 * Frames use the link's format (tfg_link.h: COBS + CRC-16, record types 0x01..0x05, their own sequence numbers);
 * the records are defined once in packages/serial-profiler/src/protocol/records.ts and checked against the same
 * vectors (test-vectors/frames.json).
 *
 * The board provides the counter and the console byte output; by default these are tfg_cycles_read() and
 * tfg_console_putc() from tfg_board.h. Define TFG_PROFILE_READ_COUNTER() / TFG_LINK_PUTC(c) to use others.
 */
#ifndef TFG_PROFILE_H
#define TFG_PROFILE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFG_PROFILE_MAX_NAME_BYTES 64u
#define TFG_PROFILE_MAX_RANK 8u

#ifndef TFG_PROFILE_MAX_LAYERS
#define TFG_PROFILE_MAX_LAYERS 256u
#endif
/* Empty BEGIN/END pairs timed at start-up; the minimum is the overhead subtracted from every count. */
#ifndef TFG_PROFILE_CALIBRATION_SAMPLES
#define TFG_PROFILE_CALIBRATION_SAMPLES 16u
#endif

typedef enum {
  TFG_PROFILE_RECORD_HELLO = 1,
  TFG_PROFILE_RECORD_LAYER_INFO = 2,
  TFG_PROFILE_RECORD_OVERHEAD = 3,
  TFG_PROFILE_RECORD_LAYER = 4,
  TFG_PROFILE_RECORD_INFERENCE = 5
} tfg_profile_record_t;

/* What the counter counts: DWT CYCCNT core cycles, or SysTick clock ticks (instructions under QEMU -icount). */
typedef enum { TFG_PROFILE_COUNTER_DWT = 0, TFG_PROFILE_COUNTER_SYSTICK = 1, TFG_PROFILE_COUNTER_OTHER = 2 } tfg_profile_counter_t;

#ifndef TFG_PROFILE_READ_COUNTER
uint32_t tfg_cycles_read(void);
#define TFG_PROFILE_READ_COUNTER() tfg_cycles_read()
#endif

/* One row of the layer table the code generator writes. name/op may be NULL (no layer-info frame is sent). */
typedef struct {
  const char *name;
  const char *op;
  uint16_t op_id;
  uint64_t macs;
  const uint32_t *shape;
  uint8_t rank;
} tfg_profile_layer_t;

typedef struct {
  uint32_t layer_start;
  uint32_t inference_start;
  uint32_t overhead;
  uint32_t run;
  uint16_t seq;
  uint16_t layer_count;
  const tfg_profile_layer_t *layers;
  uint32_t raw[TFG_PROFILE_MAX_LAYERS];
} tfg_profile_state_t;

extern tfg_profile_state_t tfg_profile_state;

/* Sends hello and the layer table, measures the hook overhead, sends it. Call once after the board is up. */
void tfg_profile_init(const tfg_profile_layer_t *layers, uint16_t layer_count, tfg_profile_counter_t counter,
                      uint32_t clock_hz);
void tfg_profile_inference_begin(void);
/* Sends the layer records and the inference record of the run that just ended. */
void tfg_profile_inference_end(void);

/* The encoder, one call per record (used by the functions above; public for tests and custom records). */
void tfg_profile_set_seq(uint16_t seq);
void tfg_profile_emit_hello(tfg_profile_counter_t counter, uint32_t clock_hz, uint16_t layer_count);
void tfg_profile_emit_layer_info(uint16_t index, uint16_t op_id, uint64_t macs, const uint32_t *shape, uint8_t rank,
                                 const char *name, const char *op);
void tfg_profile_emit_overhead(uint32_t count, uint16_t samples);
void tfg_profile_emit_layer(uint32_t run, uint16_t index, uint16_t op_id, uint32_t count);
void tfg_profile_emit_inference(uint32_t run, uint32_t total, uint16_t layer_count);

static inline void tfg_profile_layer_done_(uint32_t index, uint32_t now) {
  if (index < TFG_PROFILE_MAX_LAYERS) tfg_profile_state.raw[index] = now - tfg_profile_state.layer_start;
}

#define TFG_PROFILE_LAYER_BEGIN_(i) ((void)(i), tfg_profile_state.layer_start = TFG_PROFILE_READ_COUNTER())
#define TFG_PROFILE_LAYER_END_(i) tfg_profile_layer_done_((uint32_t)(i), TFG_PROFILE_READ_COUNTER())

#ifdef TINYFORGE_PROFILE
#define TINYFORGE_LAYER_BEGIN(i) TFG_PROFILE_LAYER_BEGIN_(i)
#define TINYFORGE_LAYER_END(i) TFG_PROFILE_LAYER_END_(i)
#else
#define TINYFORGE_LAYER_BEGIN(i) ((void)0)
#define TINYFORGE_LAYER_END(i) ((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* TFG_PROFILE_H */
