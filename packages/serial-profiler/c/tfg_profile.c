/* tinyforge on-board profiler: counter bookkeeping and the record encoder (see tfg_profile.h). */
#include "tfg_profile.h"
#include "tfg_link.h"

/* The payload of one record (the link adds version, type, sequence number and CRC). */
typedef struct {
  uint8_t bytes[TFG_LINK_MAX_PAYLOAD];
  uint32_t len;
} payload_t;

tfg_profile_state_t tfg_profile_state;

static void put_u8(payload_t *b, uint8_t v) {
  if (b->len < TFG_LINK_MAX_PAYLOAD) b->bytes[b->len++] = v;
}

static void put_u16(payload_t *b, uint16_t v) {
  put_u8(b, (uint8_t)(v & 0xFFu));
  put_u8(b, (uint8_t)(v >> 8));
}

static void put_u32(payload_t *b, uint32_t v) {
  put_u16(b, (uint16_t)(v & 0xFFFFu));
  put_u16(b, (uint16_t)(v >> 16));
}

/* Length-prefixed, cut to TFG_PROFILE_MAX_NAME_BYTES bytes (the host decodes a split UTF-8 sequence as U+FFFD). */
static void put_text(payload_t *b, const char *s) {
  uint8_t n = 0;
  if (s != 0) {
    while (n < TFG_PROFILE_MAX_NAME_BYTES && s[n] != '\0') n++;
  }
  put_u8(b, n);
  for (uint8_t i = 0; i < n; i++) put_u8(b, (uint8_t)s[i]);
}

static void send_record(tfg_profile_record_t type, const payload_t *b) {
  tfg_link_send((uint8_t)type, tfg_profile_state.seq++, b->bytes, b->len, 0, 0u);
}

void tfg_profile_set_seq(uint16_t seq) { tfg_profile_state.seq = seq; }

void tfg_profile_emit_hello(tfg_profile_counter_t counter, uint32_t clock_hz, uint16_t layer_count) {
  payload_t b;
  b.len = 0;
  put_u8(&b, (uint8_t)counter);
  put_u32(&b, clock_hz);
  put_u16(&b, layer_count);
  send_record(TFG_PROFILE_RECORD_HELLO, &b);
}

void tfg_profile_emit_layer_info(uint16_t index, uint16_t op_id, uint64_t macs, const uint32_t *shape, uint8_t rank,
                                 const char *name, const char *op) {
  payload_t b;
  b.len = 0;
  if (rank > TFG_PROFILE_MAX_RANK || (shape == 0 && rank != 0)) rank = 0;
  put_u16(&b, index);
  put_u16(&b, op_id);
  put_u32(&b, (uint32_t)(macs & 0xFFFFFFFFu));
  put_u32(&b, (uint32_t)(macs >> 32));
  put_u8(&b, rank);
  for (uint8_t i = 0; i < rank; i++) put_u32(&b, shape[i]);
  put_text(&b, name);
  put_text(&b, op);
  send_record(TFG_PROFILE_RECORD_LAYER_INFO, &b);
}

void tfg_profile_emit_overhead(uint32_t count, uint16_t samples) {
  payload_t b;
  b.len = 0;
  put_u32(&b, count);
  put_u16(&b, samples);
  send_record(TFG_PROFILE_RECORD_OVERHEAD, &b);
}

void tfg_profile_emit_layer(uint32_t run, uint16_t index, uint16_t op_id, uint32_t count) {
  payload_t b;
  b.len = 0;
  put_u32(&b, run);
  put_u16(&b, index);
  put_u16(&b, op_id);
  put_u32(&b, count);
  send_record(TFG_PROFILE_RECORD_LAYER, &b);
}

void tfg_profile_emit_inference(uint32_t run, uint32_t total, uint16_t layer_count) {
  payload_t b;
  b.len = 0;
  put_u32(&b, run);
  put_u32(&b, total);
  put_u16(&b, layer_count);
  send_record(TFG_PROFILE_RECORD_INFERENCE, &b);
}

static uint32_t minus_overhead(uint32_t raw) {
  return raw > tfg_profile_state.overhead ? raw - tfg_profile_state.overhead : 0u;
}

/* The same two hook macros the generated code uses, around nothing: what they add to every measurement. */
static uint32_t measure_overhead(void) {
  uint32_t best = 0xFFFFFFFFu;
  for (uint32_t k = 0; k < TFG_PROFILE_CALIBRATION_SAMPLES; k++) {
    TFG_PROFILE_LAYER_BEGIN_(0);
    TFG_PROFILE_LAYER_END_(0);
    if (tfg_profile_state.raw[0] < best) best = tfg_profile_state.raw[0];
  }
  tfg_profile_state.raw[0] = 0;
  return best;
}

void tfg_profile_init(const tfg_profile_layer_t *layers, uint16_t layer_count, tfg_profile_counter_t counter,
                      uint32_t clock_hz) {
  tfg_profile_state.seq = 0;
  tfg_profile_state.run = 0;
  tfg_profile_state.layers = layers;
  tfg_profile_state.layer_count = layer_count;
  tfg_profile_emit_hello(counter, clock_hz, layer_count);
  for (uint16_t i = 0; layers != 0 && i < layer_count; i++) {
    const tfg_profile_layer_t *l = &layers[i];
    if (l->name != 0 || l->op != 0) tfg_profile_emit_layer_info(i, l->op_id, l->macs, l->shape, l->rank, l->name, l->op);
  }
  tfg_profile_state.overhead = measure_overhead();
  tfg_profile_emit_overhead(tfg_profile_state.overhead, (uint16_t)TFG_PROFILE_CALIBRATION_SAMPLES);
}

void tfg_profile_inference_begin(void) {
  for (uint32_t i = 0; i < tfg_profile_state.layer_count && i < TFG_PROFILE_MAX_LAYERS; i++) tfg_profile_state.raw[i] = 0;
  tfg_profile_state.inference_start = TFG_PROFILE_READ_COUNTER();
}

void tfg_profile_inference_end(void) {
  const uint32_t now = TFG_PROFILE_READ_COUNTER();
  const uint32_t total = minus_overhead(now - tfg_profile_state.inference_start);
  const uint16_t n = tfg_profile_state.layer_count;
  for (uint16_t i = 0; i < n && i < TFG_PROFILE_MAX_LAYERS; i++) {
    const uint16_t op_id = tfg_profile_state.layers != 0 ? tfg_profile_state.layers[i].op_id : 0u;
    tfg_profile_emit_layer(tfg_profile_state.run, i, op_id, minus_overhead(tfg_profile_state.raw[i]));
  }
  tfg_profile_emit_inference(tfg_profile_state.run, total, n);
  tfg_profile_state.run++;
}
