/*
 * tinyforge board support: the few services generated code, tests and the profiler need from a board.
 * Every board implements this header in boards/<name>/board.c (plus the shared pieces in boards/common/src).
 */
#ifndef TFG_BOARD_H
#define TFG_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Core clock after tfg_board_init(), in Hz. */
extern const uint32_t tfg_board_clock_hz;

/* Clocks to full speed, console UART, cycle counter. Called by the startup code before main(). */
void tfg_board_init(void);

/* Console UART: blocking single-byte I/O. */
void tfg_console_putc(uint8_t c);
uint8_t tfg_console_getc(void);
/* A received byte (0..255), or -1 when none is waiting. */
int tfg_console_try_getc(void);
void tfg_console_write(const void *data, uint32_t len);
void tfg_console_puts(const char *s);

/* Free-running cycle counter (DWT CYCCNT where the core has one, else SysTick extended in software). */
void tfg_cycles_init(void);
uint32_t tfg_cycles_read(void);

/* Stack use. The startup code fills the stack below its own frame with TFG_STACK_PAINT at reset; the high-water mark
 * is the bytes from the stack's top down to the deepest word changed since (the whole stack when even its bottom word
 * was written: it may have overflowed). */
#define TFG_STACK_PAINT 0xC5ACCE55u
uint32_t tfg_stack_size(void);
uint32_t tfg_stack_high_water(void);

/* End the program: on virtual boards QEMU exits with `code` (semihosting); on hardware the core sleeps. */
void tfg_exit(int code) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* TFG_BOARD_H */
