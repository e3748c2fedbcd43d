/* Block copy, 8 iterations of a 4-register LDM and STM (Cortex-M4 TRM Table 3-1: LDM/STM 1 + N; §3.3.2: they are
 * not pipelined with the instructions around them):
 *   movs r2 ................................. 1
 *   copy: ldm r0!,{r3-r6} ................... 1 + 4 = 5
 *         stm r1!,{r3-r6} ................... 1 + 4 = 5
 *         subs r2,#1 ........................ 1
 *         bne copy .......................... 2 taken, 1 not
 *   bx lr ................................... 3
 * cycles = 1 + 7 x 13 + 12 + 3 = 107; instructions = 1 + 8 x 4 + 1 = 34. */
#include "kernel-prologue.h"
kernel:
  movs r2, #8
copy:
  ldm r0!, {r3, r4, r5, r6}
  stm r1!, {r3, r4, r5, r6}
  subs r2, #1
  bne copy
  bx lr
