/* RP2040 bring-up without the Pico SDK (datasheet 2.14-2.18, 4.2, 4.6): the 12 MHz crystal, the
 * system PLL at 125 MHz for clk_sys and clk_peri, the TIMER's 1 MHz tick from clk_ref, UART0 on
 * GPIO0 (TX) and GPIO1 (RX) at the profile's baud, 8N1 with FIFOs, and UART1 on GPIO4 (TX) for
 * the serial mode's log. The emulator (rp2040js) models
 * these registers; on a real Pico this code is untested (docs/boards.md). */
#include "chip.h"

static void unreset(uint32_t bits) {
  CLR(RESETS_RESET) = bits;
  while ((REG(RESETS_DONE) & bits) != bits) {}
}

static void clocks_init(void) {
  CLR(CLK_SYS_RESUS_CTRL) = 1u << 8;
  /* Crystal: 1-15 MHz range, start-up delay of ~1 ms in 256-cycle units. */
  REG(XOSC_CTRL) = 0xaa0u;
  REG(XOSC_STARTUP) = ((XOSC_HZ / 1000u) + 128u) / 256u;
  SET(XOSC_CTRL) = 0xfabu << 12;
  while (!(REG(XOSC_STATUS) & (1u << 31))) {}
  /* clk_sys back on clk_ref (glitchless) and clk_ref on the crystal before touching the PLL. */
  CLR(CLK_SYS_CTRL) = 1u;
  while (!(REG(CLK_SYS_SELECTED) & 1u)) {}
  REG(CLK_REF_CTRL) = 2u;
  while (!(REG(CLK_REF_SELECTED) & (1u << 2))) {}
  /* PLL: 12 MHz / 1 * 125 = 1500 MHz VCO, / 6 / 2 = 125 MHz. */
  SET(RESETS_RESET) = RESET_PLL_SYS;
  unreset(RESET_PLL_SYS);
  REG(PLL_SYS_CS) = 1u;
  REG(PLL_SYS_FBDIV) = 125u;
  CLR(PLL_SYS_PWR) = (1u << 0) | (1u << 5); /* PD, VCOPD */
  while (!(REG(PLL_SYS_CS) & (1u << 31))) {}
  REG(PLL_SYS_PRIM) = (6u << 16) | (2u << 12);
  CLR(PLL_SYS_PWR) = 1u << 3; /* POSTDIVPD */
  /* clk_sys from the PLL (aux source 0), then clk_peri from clk_sys. */
  REG(CLK_SYS_CTRL) = 0u << 5;
  SET(CLK_SYS_CTRL) = 1u;
  while (!(REG(CLK_SYS_SELECTED) & (1u << 1))) {}
  REG(CLK_PERI_CTRL) = (1u << 11) | (0u << 5);
  /* The TIMER counts microseconds from the watchdog's tick: clk_ref cycles per microsecond. */
  REG(WATCHDOG_TICK) = (XOSC_HZ / 1000000u) | (1u << 9);
}

static void uart_init(uint32_t base, uint32_t baud) {
  /* PL011 divisor in 1/64ths: clk_peri / (16 * baud). */
  uint32_t div64 = (uint32_t)(((uint64_t)SYS_HZ * 4u + baud / 2u) / baud);
  REG(base + UART_IBRD) = div64 >> 6;
  REG(base + UART_FBRD) = div64 & 63u;
  REG(base + UART_LCR_H) = (3u << 5) | (1u << 4); /* 8 bits, FIFOs on (a write here latches the divisor) */
  REG(base + UART_CR) = (1u << 0) | (1u << 8) | (1u << 9);
}

void chip_init(uint32_t baud) {
  clocks_init();
  unreset(RESET_IO_BANK0 | RESET_PADS_BANK0 | RESET_TIMER | RESET_UART0 | RESET_UART1);
  uart_init(UART0, baud);
  uart_init(UART1, baud);
  REG(IO_BANK0_GPIO_CTRL(0)) = GPIO_FUNC_UART;
  REG(IO_BANK0_GPIO_CTRL(1)) = GPIO_FUNC_UART;
  REG(IO_BANK0_GPIO_CTRL(4)) = GPIO_FUNC_UART;
  /* SysTick free-running on the core clock: the `count` command's ticks. */
  REG(SYST_RVR) = 0xffffffu;
  REG(SYST_CVR) = 0;
  REG(SYST_CSR) = 5u;
}

/* TIMELR first: reading it latches TIMEHR, so the two halves belong together. */
uint64_t chip_micros(void) {
  uint32_t lo = REG(TIMER_TIMELR);
  uint32_t hi = REG(TIMER_TIMEHR);
  return ((uint64_t)hi << 32) | lo;
}

/* 32 bits from the ring oscillator's RANDOMBIT, each von Neumann debiased (01 -> 0, 10 -> 1, the
 * equal pairs dropped): the oscillator's jitter is real entropy but not uniform. A bit that never
 * changes (an emulator's constant register) gives up after 4096 equal pairs: returns -1. */
int chip_rosc_random(uint32_t *out) {
  uint32_t v = 0;
  int equal = 0;
  for (int i = 0; i < 32;) {
    uint32_t a = REG(ROSC_RANDOMBIT) & 1u;
    uint32_t b = REG(ROSC_RANDOMBIT) & 1u;
    if (a == b) {
      if (++equal > 4096) return -1;
      continue;
    }
    v = (v << 1) | a;
    i++;
  }
  *out = v;
  return 0;
}

void chip_uart_write(const uint8_t *bytes, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    while (REG(UART_FR) & UART_FR_TXFF) {}
    REG(UART_DR) = bytes[i];
  }
}

void chip_log_write(const char *text, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    while (REG(UART1 + 0x18u) & UART_FR_TXFF) {}
    REG(UART1) = (uint8_t)text[i];
  }
}

/* A byte if one is waiting, else -1. */
int chip_uart_read_byte(void) {
  if (REG(UART_FR) & UART_FR_RXFE) return -1;
  return (int)(REG(UART_DR) & 0xffu);
}
