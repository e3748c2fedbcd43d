/*
 * tinyforge board <-> host link: the one frame format on the console UART, and the board end of the model I/O
 * exchange. The profiler (tfg_profile.c) sends its records through it; the board application (tfg_app.c) also
 * receives each input and sends outputs and results through it.
 *
 * Wire:  0x00 0xF5 COBS(body) 0x00
 * Body:  version u8 | type u8 | seq u16 | payload | crc16 u16   (little endian; CRC-16/CCITT-FALSE over everything
 *        before it). The leading 0x00 ends any printf text before the frame, 0xF5 (never a byte of UTF-8 text)
 *        marks it as a frame, the trailing 0x00 ends it.
 * Types: profile records 0x01..0x05 (tfg_profile.h); model I/O 0x40..0x44 (tfg_link_record_t). Each stream (the
 *        profile records, the board's I/O records, the host's I/O records) numbers its own frames.
 *
 * Defined once, on the host side, in packages/serial-profiler/src/protocol (records.ts, io.ts); the C and the
 * TypeScript ends are checked against the same vectors (test-vectors/frames.json).
 *
 * Console bytes go through TFG_LINK_PUTC(c) / TFG_LINK_GETC(), by default tfg_console_putc() / tfg_console_getc()
 * from tfg_board.h; define them to use something else.
 */
#ifndef TFG_LINK_H
#define TFG_LINK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFG_LINK_VERSION 1u
#define TFG_LINK_MAGIC 0xF5u
/* Largest payload either end sends. */
#define TFG_LINK_MAX_PAYLOAD 240u
/* Model input / output bytes per input or output frame (the payload is the byte offset u32, then the bytes). */
#define TFG_LINK_CHUNK_BYTES 224u

/* Model I/O records. */
typedef enum {
  /* board -> host, once at start: input bytes u32, output bytes u32, layer count u16, arena bytes u32. */
  TFG_LINK_READY = 0x40,
  /* host -> board: offset u32, bytes. Offset 0 starts a new input. */
  TFG_LINK_INPUT = 0x41,
  /* board -> host, for every input frame: the input offset the board expects next u32 (== input bytes: it runs). */
  TFG_LINK_ACK = 0x42,
  /* board -> host: offset u32, bytes. */
  TFG_LINK_OUTPUT = 0x43,
  /* board -> host, after the outputs: invoke status u32 (0 = ok), run u32, counter ticks of the invoke u32, stack
   * high-water mark u32 (bytes; 0 = not measured), stack size u32 (bytes; 0 = unknown). */
  TFG_LINK_RESULT = 0x44
} tfg_link_record_t;

/* A received frame: its type, sequence number and payload. */
typedef struct {
  uint8_t type;
  uint16_t seq;
  uint32_t length;
  uint8_t payload[TFG_LINK_MAX_PAYLOAD];
} tfg_link_frame_t;

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): `crc` is 0xFFFF to start, or the value over the bytes before. */
uint16_t tfg_link_crc16(uint16_t crc, const uint8_t *data, uint32_t len);

/* Send one frame whose payload is `head` followed by `tail` (a chunk of a large buffer needs no copy); payloads
 * longer than TFG_LINK_MAX_PAYLOAD are cut there. */
void tfg_link_send(uint8_t type, uint16_t seq, const uint8_t *head, uint32_t head_len, const uint8_t *tail,
                   uint32_t tail_len);

/* Block until an intact frame arrives (version and CRC good, payload within bounds); garbage, printf text and
 * damaged frames are skipped. */
void tfg_link_receive(tfg_link_frame_t *frame);

/* The board end of the model I/O exchange. Its frames are numbered from 0 (tfg_link_set_seq changes that). */
void tfg_link_set_seq(uint16_t seq);
void tfg_link_send_ready(uint32_t input_bytes, uint32_t output_bytes, uint16_t layer_count, uint32_t arena_bytes);
/* Block until one whole input has arrived: every input frame is acknowledged with the offset expected next; a
 * repeated or out-of-order frame is acknowledged without being copied, so the host knows where to go on. */
void tfg_link_receive_input(uint8_t *input, uint32_t input_bytes);
void tfg_link_send_output(const uint8_t *output, uint32_t output_bytes);
/* The same on the model's own tensors wherever they are (e.g. in its arena): the pieces, in model order, stand for
 * all inputs (outputs) back to back, so the frames on the wire are those of one buffer. */
typedef struct {
  uint8_t *data;
  uint32_t bytes;
} tfg_link_input_span_t;
typedef struct {
  const uint8_t *data;
  uint32_t bytes;
} tfg_link_output_span_t;
void tfg_link_receive_input_spans(const tfg_link_input_span_t *spans, uint32_t count);
void tfg_link_send_output_spans(const tfg_link_output_span_t *spans, uint32_t count);
void tfg_link_send_result(uint32_t status, uint32_t run, uint32_t ticks, uint32_t stack_high_water,
                          uint32_t stack_size);

#ifdef __cplusplus
}
#endif

#endif /* TFG_LINK_H */
