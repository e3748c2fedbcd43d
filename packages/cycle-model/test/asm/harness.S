/* Start-up for the hand-counted loops: r0 and r3 point at a RAM word holding its own address (a pointer chain),
 * r1 at a second buffer, r1..r2 scratch; `bl kernel`, then exit through semihosting. Only `kernel` (from its entry
 * to its return) is counted: the spec passes its address as the attribution window. */
  .syntax unified
  .thumb
  .section .vectors, "a"
  .word 0x20010000
  .word reset + 1
  .text
  .thumb_func
  .global reset
reset:
  ldr r0, =0x20000000
  str r0, [r0]
  mov r3, r0
  ldr r1, =0x20000100
  movs r2, #0
  bl kernel
  movs r0, #0x18          /* 16-bit: the return lands on a narrow instruction */
  ldr r1, =0x20026        /* ADP_Stopped_ApplicationExit */
  bkpt 0xab
  b .
  .ltorg
