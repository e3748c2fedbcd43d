/*
 * ARM CMSDK APB UART: the console of QEMU's mps2/mps3 machines. The board file passes the base address.
 *
 * Host-to-board bytes come either through the UART's receiver or, when the host started QEMU with its semihosting
 * console as the input (@tinyforge/boards' `hostInput: 'semihosting'`, announced on the semihosting command line),
 * through semihosting SYS_READC. QEMU 7.2's CMSDK UART model has no FIFO and takes one byte per round of QEMU's
 * I/O loop, each round a hand-over between QEMU's I/O thread and the CPU thread: 13-18 KiB/s on a loaded host. The
 * semihosting console takes up to 1 KiB per round into its FIFO and the CPU reads it without leaving its thread.
 */
#include "tfg_board.h"
#include "tfg_mmio.h"

#ifndef TFG_CONSOLE_BASE
#error "TFG_CONSOLE_BASE must be defined (from board.json console.base)"
#endif

#define UART_DATA (TFG_CONSOLE_BASE + 0x00u)
#define UART_STATE (TFG_CONSOLE_BASE + 0x04u)
#define UART_CTRL (TFG_CONSOLE_BASE + 0x08u)
#define UART_INTCLEAR (TFG_CONSOLE_BASE + 0x0Cu)
#define UART_BAUDDIV (TFG_CONSOLE_BASE + 0x10u)
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u
#define CTRL_TX_RX_ENABLE 3u
#define CTRL_RX_INT_ENABLE 8u
#define INT_RX 2u

#define SYS_READC 0x07u
#define SYS_GET_CMDLINE 0x15u
/* What the host puts on the semihosting command line (-semihosting-config arg=...) when it sends through it. */
#define SEMIHOSTING_INPUT_MARK "tfg-host-input=semihosting"

static int input_by_semihosting;

#define SYST_CSR 0xE000E010u
#define SYST_CSR_ENABLE 1u

/*
 * SysTick stops while the board waits for the host, and counts on afterwards: under QEMU's -icount with sleep=off
 * an idle CPU jumps to the next timer deadline at once, so a running SysTick turns every wait into a busy loop
 * (a quarter of a core measured while an application waited) that competes with the thread delivering the host's
 * bytes. The cycle counter does not count waits, which on an emulator measure nothing.
 */
static uint32_t systick_pause(void) {
  uint32_t csr = TFG_REG(SYST_CSR);
  if (csr & SYST_CSR_ENABLE) TFG_REG(SYST_CSR) = csr & 7u & ~SYST_CSR_ENABLE;
  return csr;
}

static void systick_resume(uint32_t csr) {
  if (csr & SYST_CSR_ENABLE) TFG_REG(SYST_CSR) = csr & 7u;
}

/* Whether the semihosting command line carries the mark. QEMU boards always run with semihosting on (tfg_exit). */
static int host_sends_by_semihosting(void) {
  static char line[96];
  uint32_t block[2] = {(uint32_t)(uintptr_t)line, sizeof line - 1};
  register uint32_t r0 __asm("r0") = SYS_GET_CMDLINE;
  register uint32_t *r1 __asm("r1") = block;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  if (r0 != 0 || block[1] >= sizeof line) return 0; /* no room: a command line that long is not ours */
  static const char mark[] = SEMIHOSTING_INPUT_MARK;
  for (uint32_t at = 0; at + sizeof mark - 1 <= block[1]; at++) {
    uint32_t i = 0;
    while (i < sizeof mark - 1 && line[at + i] == mark[i]) i++;
    if (i == sizeof mark - 1) return 1;
  }
  return 0;
}

/*
 * SYS_READC: QEMU stores the byte just below the stack pointer and (QEMU 7.2) returns in r0 what that slot held
 * before, so the byte is taken from the slot. The CPU sleeps inside the call while the console FIFO is empty.
 * Interrupts stay masked until the slot is read, so no exception frame overwrites it; a masked interrupt that
 * becomes pending only restarts the call.
 */
static uint8_t semihosting_getc(void) {
  uint32_t primask, c, systick = systick_pause();
  __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask) : : "memory");
  register uint32_t r0 __asm("r0") = SYS_READC;
  register uint32_t r1 __asm("r1") = 0;
  __asm volatile("bkpt 0xAB\n sub %1, sp, #1\n ldrb %1, [%1]" : "+r"(r0), "=&r"(c) : "r"(r1) : "memory");
  __asm volatile("msr primask, %0" : : "r"(primask) : "memory");
  systick_resume(systick);
  return (uint8_t)c;
}

void tfg_cmsdk_uart_init(uint32_t clock_hz, uint32_t baud) {
  input_by_semihosting = host_sends_by_semihosting();
  uint32_t div = clock_hz / baud;
  TFG_REG(UART_BAUDDIV) = div < 16 ? 16 : div; /* QEMU ignores the rate but rejects dividers below 16 */
#ifdef TFG_CONSOLE_RX_IRQ
  TFG_REG(UART_CTRL) = CTRL_TX_RX_ENABLE | CTRL_RX_INT_ENABLE; /* the interrupt only wakes WFI; see wait_rx */
#else
  TFG_REG(UART_CTRL) = CTRL_TX_RX_ENABLE;
#endif
  /* QEMU's model does not tell its serial backend when RX gets enabled, only when DATA is read: without this read,
   * host bytes sent before the enable (stm32flash's 0x7F) wait until some unrelated event wakes QEMU's I/O loop. */
  (void)TFG_REG(UART_DATA);
}

void tfg_console_putc(uint8_t c) {
  while (TFG_REG(UART_STATE) & STATE_TX_FULL) {
  }
  TFG_REG(UART_DATA) = c;
}

#ifdef TFG_CONSOLE_RX_IRQ
#define NVIC_ISER 0xE000E100u
#define NVIC_ICER 0xE000E180u
#define NVIC_ICPR 0xE000E280u

/* Write the bit of each RX line into one of the NVIC's set/clear register banks. */
static void nvic_rx_lines(uint32_t bank) {
  TFG_REG(bank + 4u * (TFG_CONSOLE_RX_IRQ / 32u)) = 1u << (TFG_CONSOLE_RX_IRQ % 32u);
#ifdef TFG_CONSOLE_RX_IRQ2
  TFG_REG(bank + 4u * (TFG_CONSOLE_RX_IRQ2 / 32u)) = 1u << (TFG_CONSOLE_RX_IRQ2 % 32u);
#endif
}

/*
 * Sleep until a byte arrives instead of polling the status register. On QEMU a guest spinning on a UART register
 * keeps its CPU thread busy and, on a loaded host, starves the threads that carry host bytes into the UART (one
 * byte per main-loop round: this UART has no FIFO), so a 256-byte AN3155 block could outlast the host's one-second
 * ACK timeout. The RX line is enabled in the NVIC only while PRIMASK is set: it wakes WFI but is never taken (the
 * vector table has no peripheral entries). Between sleeps PRIMASK is cleared so a pending interrupt is taken.
 */
static void wait_rx(void) {
  uint32_t systick = systick_pause();
  while (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) {
    __asm volatile("cpsid i" ::: "memory");
    TFG_REG(UART_INTCLEAR) = INT_RX; /* a byte arriving from here on re-raises the line and wakes WFI */
    nvic_rx_lines(NVIC_ICPR);
    nvic_rx_lines(NVIC_ISER);
    if (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) __asm volatile("wfi" ::: "memory");
    nvic_rx_lines(NVIC_ICER);
    __asm volatile("dsb\n isb\n cpsie i\n isb" ::: "memory");
  }
  systick_resume(systick);
}
#else
static void wait_rx(void) {
  uint32_t systick = systick_pause();
  while (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) {
  }
  systick_resume(systick);
}
#endif

uint8_t tfg_console_getc(void) {
  if (input_by_semihosting) return semihosting_getc();
  if (!(TFG_REG(UART_STATE) & STATE_RX_FULL)) wait_rx();
  return (uint8_t)TFG_REG(UART_DATA);
}

/* With input through semihosting there is no way to look without waiting: -1, the host's bytes go to getc. */
int tfg_console_try_getc(void) {
  if (input_by_semihosting) return -1;
  return (TFG_REG(UART_STATE) & STATE_RX_FULL) ? (int)(TFG_REG(UART_DATA) & 0xFFu) : -1;
}
