// Runs an rp2040 image (host/board/build-rp2040.ts) in rp2040js, the Wokwi RP2040 emulator
// (an exact devDependency): the flash image at 0x10000000, UART0's bytes in and out, instructions
// counted one by one. The bootrom is not emulated (rp2040js ships none): this does what it does
// for a flash boot, checking boot2's CRC32, copying its 256 bytes to SRAM at 0x20041f00 and
// running them with lr = 0, so boot2 enters XIP and jumps through the image's vector table.
import { RP2040, type Logger } from 'rp2040js';
import { boot2CrcOk } from './rp2040-boot2-crc.ts';

const BOOT2_SRAM = 0x20041f00;
/** rp2040js's UARTFR bit for a full receive FIFO. */
const UART_FR_RXFF = 1 << 6;
/** The core clock chip.c sets (125 MHz): rp2040js's timer reads its clock, which this loop advances per cycle. */
const CYCLE_NS = 8;

export interface EmulatorRun {
  /** Lines UART0 sent (without their newline). */
  lines: string[];
  /** The BKPT code the image stopped with (0 ok, 1 failed), or null when the instruction budget ran out. */
  breakCode: number | null;
  instructions: number;
  cycles: number;
  /** Wall-clock seconds the emulation took on this machine. */
  seconds: number;
  /** What rp2040js logged as errors (an unaligned access among them) and warnings (an unmodelled register). */
  errors: string[];
  warnings: string[];
}

export interface EmulatorOptions {
  /** Stop after this many instructions (breakCode null). */
  maxInstructions: number;
  /**
   * SRAM larger than the chip's 264 KiB, for measuring how much RAM an image that does not fit
   * would need (bench/board-rp2040.ts): not an RP2040 any more; the tests never set it.
   */
  sramBytes?: number;
}

/** Boots `image` (the .bin from 0x10000000), feeds `input` to UART0 as fast as its 32-byte FIFO takes it, runs until a BKPT or the instruction budget. */
export function runRp2040(image: Uint8Array, input: string, opts: EmulatorOptions): EmulatorRun {
  const { maxInstructions } = opts;
  if (!boot2CrcOk(image)) throw new Error('the image\'s boot2 CRC32 does not match: the bootrom would not boot it');
  const boot2 = image.subarray(0, 256);
  const errors: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {}, info: () => {},
    warn: (c, m) => { if (warnings.length < 100) warnings.push(`${c}: ${m}`); },
    error: (c, m) => { if (errors.length < 100) errors.push(`${c}: ${m}`); },
  };
  const mcu = new RP2040();
  mcu.logger = logger;
  if (opts.sramBytes !== undefined) {
    // rp2040js reads and writes SRAM through these two fields (readonly only to TypeScript).
    const sram = new Uint8Array(opts.sramBytes);
    Object.assign(mcu, { sram, sramView: new DataView(sram.buffer) });
  }
  const SRAM_END = 0x20000000 + mcu.sram.length;
  mcu.flash.set(image);
  mcu.sram.set(boot2, BOOT2_SRAM - 0x20000000);
  mcu.core.SP = SRAM_END;
  mcu.core.LR = 0;
  mcu.core.PC = BOOT2_SRAM;
  const clock = mcu.clock as unknown as { tick(nanos: number): void };
  let breakCode: number | null = null;
  mcu.onBreak = (code) => { breakCode = code; };
  const out: number[] = [];
  const uart = mcu.uart[0]!;
  uart.onByte = (b) => out.push(b);
  const bytes = Buffer.from(input, 'utf8');
  let fed = 0;
  let instructions = 0;
  let cycles = 0;
  const t0 = process.hrtime.bigint();
  while (breakCode === null && instructions < maxInstructions) {
    while (fed < bytes.length && !(uart.flags & UART_FR_RXFF)) uart.feedByte(bytes[fed++]!);
    // A batch between FIFO refills: the firmware reads at most 32 bytes in it.
    for (let i = 0; i < 2000 && breakCode === null; i++) {
      const c = mcu.core.executeInstruction();
      clock.tick(c * CYCLE_NS);
      cycles += c;
      instructions++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const text = Buffer.from(out).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { lines, breakCode, instructions, cycles, seconds, errors, warnings };
}
