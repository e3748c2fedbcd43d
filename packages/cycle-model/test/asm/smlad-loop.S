/* Dot product, 16 iterations of LDR, LDR, SMLAD (Cortex-M4 TRM, DDI 0439, Table 3-1 and §3.3.2):
 *   movs r2 / movs r3 ....................... 1 + 1
 *   loop: ldr r4,[r0],#4 .................... 2   (after a taken branch or a MOV: not pipelined)
 *         ldr r5,[r1],#4 .................... 1   (pipelined after an LDR whose Rt r4 is not in its address)
 *         smlad r3,r4,r5,r3 ................. 1
 *         subs r2,r2,#1 ..................... 1
 *         bne loop .......................... 1 + P = 2 taken (P = 1: direct branch, aligned 32-bit target), 1 not
 *   bx lr ................................... 1 + P = 3 (P = 2: register branch; returns onto a 16-bit MOVS)
 * cycles = 2 + 15 x 7 + 6 + 3 = 116; instructions = 2 + 16 x 5 + 1 = 83. */
#include "kernel-prologue.h"
kernel:
  movs r2, #16
  movs r3, #0
  .p2align 2
loop:
  ldr r4, [r0], #4
  ldr r5, [r1], #4
  smlad r3, r4, r5, r3
  subs r2, r2, #1
  bne loop
  bx lr
