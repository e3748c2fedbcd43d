/* A loop over r4 = 6..1 whose even iterations branch forward and call a leaf function, odd ones take an
 * unconditional branch (Cortex-M4 TRM Table 3-1; P = 1 for direct branches and calls, 2 for BX, 3 for a load into
 * PC as in §3.3.2 "LDR PC ... three cycles for the pipeline reload"; every branch target is a 16-bit instruction or
 * a word-aligned 32-bit one):
 *   push {r4,lr} ............................ 1 + N = 3
 *   movs r4,#6 .............................. 1
 *   odd iteration:  lsls 1, beq (not taken) 1, adds 1, b 2, subs 1, bne 2 ............. = 8 (7 for the last)
 *   even iteration: lsls 1, beq (taken) 2, bl 2, leaf: adds 1, bx lr 3, subs 1, bne 2 .. = 12
 *   pop {r4,pc} ............................. 1 + N + P = 1 + 2 + 3 = 6
 * cycles = 3 + 1 + 3 x 12 + (8 + 8 + 7) + 6 = 69; instructions = 2 + 3 x 7 + 3 x 6 + 1 = 42. */
#include "kernel-prologue.h"
kernel:
  push {r4, lr}
  movs r4, #6
loop:
  lsls r0, r4, #31
  beq even
  adds r1, r1, #1
  b next
  .p2align 2
even:
  bl leaf
next:
  subs r4, r4, #1
  bne loop
  pop {r4, pc}
  .thumb_func
leaf:
  adds r2, r2, #1
  bx lr
