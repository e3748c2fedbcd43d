/* tinyforge board <-> host link: framing (COBS + CRC-16) and the board end of the model I/O exchange (tfg_link.h). */
#include "tfg_link.h"

#ifndef TFG_LINK_PUTC
void tfg_console_putc(uint8_t c);
#define TFG_LINK_PUTC(c) tfg_console_putc(c)
#endif
#ifndef TFG_LINK_GETC
uint8_t tfg_console_getc(void);
#define TFG_LINK_GETC() tfg_console_getc()
#endif

#define HEADER_BYTES 4u
#define CRC_BYTES 2u
#define BODY_MAX (HEADER_BYTES + TFG_LINK_MAX_PAYLOAD + CRC_BYTES)
/* COBS adds one code byte per 254 data bytes, plus one. */
#define STUFFED_MAX (BODY_MAX + BODY_MAX / 254u + 1u)

static uint16_t io_seq;

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v & 0xFFu);
  p[1] = (uint8_t)((v >> 8) & 0xFFu);
  p[2] = (uint8_t)((v >> 16) & 0xFFu);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint16_t tfg_link_crc16(uint16_t crc, const uint8_t *data, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    crc = (uint16_t)(crc ^ (uint16_t)(data[i] << 8));
    for (int bit = 0; bit < 8; bit++) {
      crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
  }
  return crc;
}

void tfg_link_send(uint8_t type, uint16_t seq, const uint8_t *head, uint32_t head_len, const uint8_t *tail,
                   uint32_t tail_len) {
  static uint8_t body[BODY_MAX];
  uint32_t n = 0;
  if (head_len > TFG_LINK_MAX_PAYLOAD) head_len = TFG_LINK_MAX_PAYLOAD;
  if (tail_len > TFG_LINK_MAX_PAYLOAD - head_len) tail_len = TFG_LINK_MAX_PAYLOAD - head_len;
  body[n++] = (uint8_t)TFG_LINK_VERSION;
  body[n++] = type;
  body[n++] = (uint8_t)(seq & 0xFFu);
  body[n++] = (uint8_t)(seq >> 8);
  for (uint32_t i = 0; i < head_len; i++) body[n++] = head[i];
  for (uint32_t i = 0; i < tail_len; i++) body[n++] = tail[i];
  {
    const uint16_t crc = tfg_link_crc16(0xFFFFu, body, n);
    body[n++] = (uint8_t)(crc & 0xFFu);
    body[n++] = (uint8_t)(crc >> 8);
  }
  TFG_LINK_PUTC(0u);
  TFG_LINK_PUTC((uint8_t)TFG_LINK_MAGIC);
  /* COBS: blocks of up to 254 non-zero bytes, each after a code byte = its length + 1. */
  uint32_t start = 0;
  for (;;) {
    uint32_t end = start;
    while (end < n && body[end] != 0u && end - start < 254u) end++;
    TFG_LINK_PUTC((uint8_t)(end - start + 1u));
    for (uint32_t i = start; i < end; i++) TFG_LINK_PUTC(body[i]);
    if (end - start == 254u) {
      start = end; /* a full block stands for no zero */
    } else if (end == n) {
      break;
    } else {
      start = end + 1u; /* skip the zero this block stood for */
    }
  }
  TFG_LINK_PUTC(0u);
}

/* Undo COBS in place; returns the decoded length, or 0 when the stuffing is broken. */
static uint32_t cobs_decode(uint8_t *p, uint32_t n) {
  uint32_t in = 0, out = 0;
  while (in < n) {
    const uint32_t code = p[in++];
    if (code == 0u || in + code - 1u > n) return 0u;
    for (uint32_t k = 1; k < code; k++) p[out++] = p[in++];
    if (code != 0xFFu && in < n) p[out++] = 0u;
  }
  return out;
}

void tfg_link_receive(tfg_link_frame_t *frame) {
  static uint8_t stuffed[STUFFED_MAX];
  enum { SEEK_ZERO, AFTER_ZERO, IN_FRAME } state = SEEK_ZERO;
  uint32_t n = 0;
  for (;;) {
    const uint8_t c = TFG_LINK_GETC();
    if (c == 0u) {
      if (state == IN_FRAME && n > 0u) {
        const uint32_t len = cobs_decode(stuffed, n);
        if (len >= HEADER_BYTES + CRC_BYTES && len <= BODY_MAX && stuffed[0] == TFG_LINK_VERSION &&
            tfg_link_crc16(0xFFFFu, stuffed, len - CRC_BYTES) ==
                (uint16_t)(stuffed[len - 2u] | (stuffed[len - 1u] << 8))) {
          frame->type = stuffed[1];
          frame->seq = (uint16_t)(stuffed[2] | (stuffed[3] << 8));
          frame->length = len - HEADER_BYTES - CRC_BYTES;
          for (uint32_t i = 0; i < frame->length; i++) frame->payload[i] = stuffed[HEADER_BYTES + i];
          return;
        }
      }
      state = AFTER_ZERO;
      n = 0;
    } else if (state == AFTER_ZERO) {
      state = c == TFG_LINK_MAGIC ? IN_FRAME : SEEK_ZERO;
    } else if (state == IN_FRAME) {
      if (n < STUFFED_MAX) {
        stuffed[n++] = c;
      } else {
        state = SEEK_ZERO;
      }
    }
  }
}

void tfg_link_set_seq(uint16_t seq) { io_seq = seq; }

static void send_io(tfg_link_record_t type, const uint8_t *head, uint32_t head_len, const uint8_t *tail,
                    uint32_t tail_len) {
  tfg_link_send((uint8_t)type, io_seq++, head, head_len, tail, tail_len);
}

void tfg_link_send_ready(uint32_t input_bytes, uint32_t output_bytes, uint16_t layer_count, uint32_t arena_bytes) {
  uint8_t p[14];
  put_u32(p, input_bytes);
  put_u32(p + 4, output_bytes);
  p[8] = (uint8_t)(layer_count & 0xFFu);
  p[9] = (uint8_t)(layer_count >> 8);
  put_u32(p + 10, arena_bytes);
  send_io(TFG_LINK_READY, p, sizeof p, 0, 0u);
}

void tfg_link_receive_input_spans(const tfg_link_input_span_t *spans, uint32_t count) {
  static tfg_link_frame_t frame;
  uint32_t expected = 0, input_bytes = 0;
  for (uint32_t k = 0; k < count; k++) input_bytes += spans[k].bytes;
  for (;;) {
    uint8_t ack[4];
    uint32_t offset, len;
    tfg_link_receive(&frame);
    /* An input frame carries its offset and at least one byte. */
    if (frame.type != (uint8_t)TFG_LINK_INPUT || frame.length < 5u) continue;
    offset = get_u32(frame.payload);
    len = frame.length - 4u;
    if (offset == 0u) expected = 0u;
    if (offset == expected && len <= input_bytes - expected) {
      uint32_t i = 0;
      while (i < len) {
        /* The rest of this frame that falls into one span: found once, then copied. */
        uint32_t k = 0, at = offset + i;
        while (at >= spans[k].bytes) at -= spans[k++].bytes;
        for (; at < spans[k].bytes && i < len; at++, i++) spans[k].data[at] = frame.payload[4u + i];
      }
      expected += len;
    }
    put_u32(ack, expected);
    send_io(TFG_LINK_ACK, ack, sizeof ack, 0, 0u);
    if (expected == input_bytes) return;
  }
}

void tfg_link_receive_input(uint8_t *input, uint32_t input_bytes) {
  const tfg_link_input_span_t span = {input, input_bytes};
  tfg_link_receive_input_spans(&span, 1u);
}

void tfg_link_send_output_spans(const tfg_link_output_span_t *spans, uint32_t count) {
  uint32_t k = 0, from = 0, at = 0, total = 0;
  for (uint32_t j = 0; j < count; j++) total += spans[j].bytes;
  for (;;) {
    uint8_t chunk[4u + TFG_LINK_CHUNK_BYTES];
    uint32_t n = 4u, left;
    while (k < count && from == spans[k].bytes) {
      k++;
      from = 0;
    }
    if (k == count) return;
    put_u32(chunk, at);
    left = spans[k].bytes - from;
    if (left >= TFG_LINK_CHUNK_BYTES || left == total - at) {
      /* A whole chunk, or the last bytes, within one span: sent from where they are. */
      const uint32_t len = left < TFG_LINK_CHUNK_BYTES ? left : TFG_LINK_CHUNK_BYTES;
      send_io(TFG_LINK_OUTPUT, chunk, 4u, spans[k].data + from, len);
      from += len;
      at += len;
      continue;
    }
    /* A chunk across spans: gathered, so that the frames are those of one buffer. */
    while (n < sizeof chunk && k < count) {
      if (from == spans[k].bytes) {
        k++;
        from = 0;
      } else {
        chunk[n++] = spans[k].data[from++];
      }
    }
    send_io(TFG_LINK_OUTPUT, chunk, n, 0, 0u);
    at += n - 4u;
  }
}

void tfg_link_send_output(const uint8_t *output, uint32_t output_bytes) {
  const tfg_link_output_span_t span = {output, output_bytes};
  tfg_link_send_output_spans(&span, 1u);
}

void tfg_link_send_result(uint32_t status, uint32_t run, uint32_t ticks, uint32_t stack_high_water,
                          uint32_t stack_size) {
  uint8_t p[20];
  put_u32(p, status);
  put_u32(p + 4, run);
  put_u32(p + 8, ticks);
  put_u32(p + 12, stack_high_water);
  put_u32(p + 16, stack_size);
  send_io(TFG_LINK_RESULT, p, sizeof p, 0, 0u);
}
