/* The RP2040's second-stage boot (boot2): the bootrom copies the first 256 bytes of flash to SRAM
 * (0x20041f00), checks the CRC32 of the first 252 against the last 4 (host/board/build-rp2040.ts
 * appends it) and runs them. This one sets the SSI up for the serial flash's plain 03h read
 * (any flash chip answers it; slower than the quad modes a Pico's W25Q16 supports), enters XIP and
 * jumps through the vector table at 0x10000100. Written from the RP2040 datasheet (2.8.1, 4.10);
 * untested on hardware (docs/boards.md). Not built into the runtime's objects: assembled on its own. */
.syntax unified
.cpu cortex-m0plus
.thumb

.equ SSI_BASE, 0x18000000
.equ SSI_CTRLR0, 0x00
.equ SSI_CTRLR1, 0x04
.equ SSI_SSIENR, 0x08
.equ SSI_BAUDR, 0x14
.equ SSI_SPI_CTRLR0, 0xf4
.equ XIP_BASE, 0x10000000
.equ VTOR, 0xe000ed08
/* CTRLR0: SPI_FRF 0 (standard SPI), DFS_32 31 (32-bit frames), TMOD 3 (EEPROM read). */
.equ CTRLR0_XIP, (0 << 21) | (31 << 16) | (3 << 8)
/* SPI_CTRLR0: XIP_CMD 0x03, INST_L 2 (8-bit instruction), ADDR_L 6 (24-bit address), TRANS_TYPE 0. */
.equ SPI_CTRLR0_XIP, (0x03 << 24) | (2 << 8) | (6 << 2)
/* clk_sys / 4 for the flash clock: safe for 03h reads at the bootrom's and this runtime's clocks. */
.equ CLKDIV, 4

.section .text.boot2, "ax"
.global boot2_entry
.type boot2_entry, %function
.thumb_func
boot2_entry:
  push {lr}
  ldr r3, =SSI_BASE
  movs r1, #0
  str r1, [r3, #SSI_SSIENR]
  movs r1, #CLKDIV
  str r1, [r3, #SSI_BAUDR]
  ldr r1, =CTRLR0_XIP
  str r1, [r3, #SSI_CTRLR0]
  ldr r1, =SPI_CTRLR0_XIP
  ldr r0, =(SSI_BASE + SSI_SPI_CTRLR0)
  str r1, [r0]
  movs r1, #0 /* NDF 0: one 32-bit word per XIP access */
  str r1, [r3, #SSI_CTRLR1]
  movs r1, #1
  str r1, [r3, #SSI_SSIENR]
  /* From the bootrom lr was 0: vector into the image. Called from elsewhere: return. */
  pop {r0}
  cmp r0, #0
  beq vector_into_flash
  bx r0
vector_into_flash:
  ldr r0, =(XIP_BASE + 0x100)
  ldr r1, =VTOR
  str r0, [r1]
  ldmia r0, {r0, r1}
  msr msp, r0
  bx r1
.ltorg
