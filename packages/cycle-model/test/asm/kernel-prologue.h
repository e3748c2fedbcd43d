/* What every hand-counted loop starts with: Thumb-2 code and a word-aligned global function `kernel`. */
  .syntax unified
  .thumb
  .text
  .p2align 2
  .thumb_func
  .global kernel
