/*
 * RP2040 second-stage boot loader (the first 256 bytes of flash; the boot ROM copies it to SRAM, checks its
 * CRC-32 and runs it). It sets the XIP SSI up for plain serial reads (command 03h, 24-bit address), which every
 * QSPI flash understands, then starts the image whose vector table follows at 0x10000100. The build writes the
 * CRC into the last word (packages/boards, postLink rp2040-boot2-crc). Position independent: it runs from SRAM.
 * SSI register offsets and fields from the RP2040 datasheet (section 4.10).
 */
  .syntax unified
  .cpu cortex-m0plus
  .thumb
  .section .boot2, "ax"

  .equ SSI_BASE, 0x18000000
  .equ SSI_CTRLR0, 0x00
  .equ SSI_CTRLR1, 0x04
  .equ SSI_SSIENR, 0x08
  .equ SSI_BAUDR, 0x14
  .equ SSI_SPI_CTRLR0, 0xF4
  /* CTRLR0: DFS_32 = 31 (32-bit frames) at bit 16, TMOD = 3 (EEPROM read) at bit 8, standard SPI. */
  .equ CTRLR0_XIP, (31 << 16) | (3 << 8)
  /* SPI_CTRLR0: XIP_CMD = 03h at bit 24, INST_L = 8 bits (2) at bit 8, ADDR_L = 24 bits (6) at bit 2. */
  .equ SPI_CTRLR0_XIP, (0x03 << 24) | (2 << 8) | (6 << 2)
  .equ APP_VECTORS, 0x10000100
  .equ VTOR, 0xE000ED08

  .global tfg_boot2_entry
  .type tfg_boot2_entry, %function
tfg_boot2_entry:
  ldr r3, =SSI_BASE
  movs r1, #0
  str r1, [r3, #SSI_SSIENR]      /* disable the SSI to configure it */
  movs r1, #4
  str r1, [r3, #SSI_BAUDR]       /* SCK = clk_sys / 4 */
  ldr r1, =CTRLR0_XIP
  str r1, [r3, #SSI_CTRLR0]
  movs r1, #0
  str r1, [r3, #SSI_CTRLR1]      /* NDF = 0: one data frame per XIP access */
  ldr r1, =SPI_CTRLR0_XIP
  ldr r2, =(SSI_BASE + SSI_SPI_CTRLR0)
  str r1, [r2]
  movs r1, #1
  str r1, [r3, #SSI_SSIENR]      /* enable: flash is now memory-mapped at 0x10000000 */

  ldr r0, =APP_VECTORS
  ldr r1, =VTOR
  str r0, [r1]
  ldr r1, [r0, #0]
  msr msp, r1
  ldr r1, [r0, #4]
  bx r1

  .ltorg
  .balign 4
  /* Pad to 252 bytes; the last 4 of the 256 are the CRC. */
  .space 252 - (. - tfg_boot2_entry), 0
  .word 0
