/* Pointer chase and address dependencies, 10 iterations (r0 = r3 = the address of a word holding its own address;
 * Cortex-M4 TRM §3.3.2: an LDR is pipelined with the next load/store only when its loaded register is not in that
 * one's address; STR Rt,[Rn,#imm] is always one cycle; a load whose address the previous data-processing
 * instruction computed stalls one more cycle):
 *   movs r2,#10 ............................. 1
 *   chase: ldr r0,[r0] ...................... 2   (first after the branch)
 *          ldr r0,[r0] ...................... 2   (its address is the previous load's result: not pipelined)
 *          ldr r1,[r0] ...................... 2   (same)
 *          str r1,[r3,#4] ................... 1   (immediate offset)
 *          adds r3,r3,#0 .................... 1
 *          ldr r1,[r3] ...................... 2 + 1 (address from the ADDS just before)
 *          subs r2,#1 ....................... 1
 *          bne chase ........................ 2 taken, 1 not
 *   bx lr ................................... 3
 * cycles = 1 + 9 x 14 + 13 + 3 = 143; instructions = 1 + 10 x 8 + 1 = 82. */
#include "kernel-prologue.h"
kernel:
  movs r2, #10
chase:
  ldr r0, [r0]
  ldr r0, [r0]
  ldr r1, [r0]
  str r1, [r3, #4]
  adds r3, r3, #0
  ldr r1, [r3]
  subs r2, #1
  bne chase
  bx lr
