/* RP2040 registers this port uses (RP2040 datasheet; no Pico SDK): resets, clocks, UART0 (PL011),
 * the microsecond TIMER, the ring oscillator's random bit, SysTick. */
#ifndef CELL_RP2040_CHIP_H
#define CELL_RP2040_CHIP_H
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))
/* Atomic aliases of every APB register: +0x2000 sets bits, +0x3000 clears them. */
#define SET(addr) REG((addr) + 0x2000u)
#define CLR(addr) REG((addr) + 0x3000u)

#define RESETS_RESET 0x4000c000u
#define RESETS_DONE 0x4000c008u
#define RESET_IO_BANK0 (1u << 5)
#define RESET_PADS_BANK0 (1u << 8)
#define RESET_PLL_SYS (1u << 12)
#define RESET_TIMER (1u << 21)
#define RESET_UART0 (1u << 22)
#define RESET_UART1 (1u << 23)

#define CLOCKS 0x40008000u
#define CLK_REF_CTRL (CLOCKS + 0x30u)
#define CLK_REF_SELECTED (CLOCKS + 0x38u)
#define CLK_SYS_CTRL (CLOCKS + 0x3cu)
#define CLK_SYS_SELECTED (CLOCKS + 0x44u)
#define CLK_PERI_CTRL (CLOCKS + 0x48u)
#define CLK_SYS_RESUS_CTRL (CLOCKS + 0x78u)

#define XOSC_CTRL 0x40024000u
#define XOSC_STATUS 0x40024004u
#define XOSC_STARTUP 0x4002400cu

#define PLL_SYS_CS 0x40028000u
#define PLL_SYS_PWR 0x40028004u
#define PLL_SYS_FBDIV 0x40028008u
#define PLL_SYS_PRIM 0x4002800cu

#define IO_BANK0_GPIO_CTRL(n) (0x40014004u + 8u * (n))
#define GPIO_FUNC_UART 2u

/* UART0 (GPIO0 TX, GPIO1 RX) is the serial link; UART1 (GPIO4 TX) carries the serial mode's log. */
#define UART0 0x40034000u
#define UART1 0x40038000u
#define UART_DR (UART0 + 0x00u)
#define UART_FR (UART0 + 0x18u)
#define UART_IBRD 0x24u
#define UART_FBRD 0x28u
#define UART_LCR_H 0x2cu
#define UART_CR 0x30u
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)

#define TIMER_TIMEHR 0x40054008u
#define TIMER_TIMELR 0x4005400cu
#define WATCHDOG_TICK 0x4005802cu

#define ROSC_RANDOMBIT 0x4006001cu

#define SYST_CSR 0xe000e010u
#define SYST_RVR 0xe000e014u
#define SYST_CVR 0xe000e018u
#define AIRCR 0xe000ed0cu

/* The Pico's crystal and the clocks chip_init() sets from it. */
#define XOSC_HZ 12000000u
#define SYS_HZ 125000000u

void chip_init(uint32_t baud);
uint64_t chip_micros(void);
int chip_rosc_random(uint32_t *out);
void chip_uart_write(const uint8_t *bytes, uint32_t len);
/* UART1's TX, for diagnostics off the link. */
void chip_log_write(const char *text, uint32_t len);
int chip_uart_read_byte(void);
#endif
