// Runs an rp2040 image (host/board/build-rp2040.ts) in rp2040js, the Wokwi RP2040 emulator
// (an exact devDependency): the flash image at 0x10000000, UART0's bytes in and out, instructions
// counted one by one. The bootrom is not emulated (rp2040js ships none): this does what it does
// for a flash boot, checking boot2's CRC32, copying its 256 bytes to SRAM at 0x20041f00 and
// running them with lr = 0, so boot2 enters XIP and jumps through the image's vector table.
// Without a bootrom there are no flash-writing routines either (platform/rp2040/store.c).
import { PassThrough, Writable } from 'node:stream';
import { RP2040, type Logger } from 'rp2040js';
import { boot2CrcOk } from './rp2040-boot2-crc.ts';

const BOOT2_SRAM = 0x20041f00;
/** rp2040js's UARTFR bit for a full receive FIFO. */
const UART_FR_RXFF = 1 << 6;
/** The core clock chip.c sets (125 MHz): rp2040js's timer reads its clock, which this loop advances per cycle. */
const CYCLE_NS = 8;

export interface EmulatorOptions {
  /** Stop after this many instructions (breakCode null). */
  maxInstructions: number;
  /**
   * SRAM larger than the chip's 264 KiB, for measuring how much RAM an image that does not fit
   * would need (bench/board-rp2040.ts): not an RP2040 any more; the tests never set it.
   */
  sramBytes?: number;
  /**
   * The C stack's reserve [from, to) (addresses): SRAM is painted with a pattern before boot and
   * the run reports how deep the stack went into it (stackBytesUsed).
   */
  stackRegion?: { from: number; to: number };
}

// The byte the image's own reset paints its C stack with (BARE_STACK_PAINT, core/bare-metal.h):
// painting the same here keeps the measure honest where the image repaints the region.
const PAINT = 0xc5;

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
  /** With stackRegion: bytes from the top of the reserve down to the deepest byte the run changed. */
  stackBytesUsed?: number;
}

/** An RP2040 with `flash` loaded at 0x10000000, stopped at the start of boot2. */
class Chip {
  readonly mcu = new RP2040();
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  breakCode: number | null = null;
  instructions = 0;
  cycles = 0;
  private readonly clock: { tick(nanos: number): void };
  private input: number[] = [];
  private inputAt = 0;

  constructor(flash: Uint8Array, sramBytes?: number) {
    if (!boot2CrcOk(flash)) throw new Error('the image\'s boot2 CRC32 does not match: the bootrom would not boot it');
    if (flash.length > this.mcu.flash.length) throw new Error(`the image is ${flash.length} bytes; the emulated flash holds ${this.mcu.flash.length}`);
    const logger: Logger = {
      debug: () => {}, info: () => {},
      warn: (c, m) => { if (this.warnings.length < 100) this.warnings.push(`${c}: ${m}`); },
      error: (c, m) => { if (this.errors.length < 100) this.errors.push(`${c}: ${m} (pc 0x${this.mcu.core.PC.toString(16)})`); },
    };
    const mcu = this.mcu;
    mcu.logger = logger;
    if (sramBytes !== undefined) {
      // rp2040js reads and writes SRAM through these two fields (readonly only to TypeScript).
      const sram = new Uint8Array(sramBytes);
      Object.assign(mcu, { sram, sramView: new DataView(sram.buffer) });
    }
    mcu.flash.set(flash);
    mcu.sram.set(flash.subarray(0, 256), BOOT2_SRAM - 0x20000000);
    mcu.core.SP = 0x20000000 + mcu.sram.length;
    mcu.core.LR = 0;
    mcu.core.PC = BOOT2_SRAM;
    this.clock = mcu.clock as unknown as { tick(nanos: number): void };
    mcu.onBreak = (code) => { this.breakCode = code; };
  }

  /** Bytes for UART0's receiver, fed as its 32-byte FIFO has room. */
  send(bytes: Uint8Array): void {
    if (this.inputAt > 0 && this.inputAt === this.input.length) { this.input = []; this.inputAt = 0; }
    for (const b of bytes) this.input.push(b);
  }

  /** Runs up to `n` instructions (fewer after a BKPT). */
  run(n: number): void {
    const uart = this.mcu.uart[0]!;
    const core = this.mcu.core;
    for (let done = 0; done < n && this.breakCode === null;) {
      while (this.inputAt < this.input.length && !(uart.flags & UART_FR_RXFF)) uart.feedByte(this.input[this.inputAt++]!);
      // A batch between FIFO refills: the firmware reads at most 32 bytes in it.
      const batch = Math.min(2000, n - done);
      let i = 0;
      for (; i < batch && this.breakCode === null; i++) {
        const c = core.executeInstruction();
        this.clock.tick(c * CYCLE_NS);
        this.cycles += c;
      }
      this.instructions += i;
      done += i;
    }
  }
}

/** Boots `image` (the .bin from 0x10000000), feeds `input` to UART0 as fast as its 32-byte FIFO takes it, runs until a BKPT or the instruction budget. */
export function runRp2040(image: Uint8Array, input: string, opts: EmulatorOptions): EmulatorRun {
  const chip = new Chip(image, opts.sramBytes);
  const region = opts.stackRegion;
  if (region) {
    chip.mcu.sram.fill(PAINT, region.from - 0x20000000, region.to - 0x20000000);
    // boot2 runs from the top 256 bytes of SRAM, inside the stack's reserve: put it back.
    chip.mcu.sram.set(image.subarray(0, 256), BOOT2_SRAM - 0x20000000);
  }
  const out: number[] = [];
  chip.mcu.uart[0]!.onByte = (b) => out.push(b);
  chip.send(Buffer.from(input, 'utf8'));
  const t0 = process.hrtime.bigint();
  chip.run(opts.maxInstructions);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lines = Buffer.from(out).toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let stackBytesUsed: number | undefined;
  if (region) {
    const sram = chip.mcu.sram;
    let low = region.from - 0x20000000;
    while (low < region.to - 0x20000000 && sram[low] === PAINT) low++;
    stackBytesUsed = region.to - 0x20000000 - low;
  }
  return { lines, breakCode: chip.breakCode, instructions: chip.instructions, cycles: chip.cycles, seconds, errors: chip.errors, warnings: chip.warnings, stackBytesUsed };
}

/**
 * A running emulated board for the serial mode: UART0 as a pair of streams (InstallLink, a mesh
 * peer's serial framing), UART1's lines as its log. Emulates in slices between event-loop turns,
 * so the host side's timers and streams keep running; stop() ends it.
 */
export class Rp2040Emulation {
  /** What the board sends on UART0. */
  readonly fromBoard = new PassThrough();
  /** What is written here reaches UART0's receiver. */
  readonly toBoard: Writable;
  readonly log: string[] = [];
  private readonly chip: Chip;
  private running = false;
  private logPartial = '';
  private readonly logWaiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];

  constructor(flash: Uint8Array, opts: { sramBytes?: number } = {}) {
    this.chip = new Chip(flash, opts.sramBytes);
    this.chip.mcu.uart[0]!.onByte = (b) => this.fromBoard.write(Buffer.of(b));
    this.chip.mcu.uart[1]!.onByte = (b) => this.onLogByte(b);
    this.toBoard = new Writable({ write: (chunk: Buffer, _enc, cb) => { this.chip.send(chunk); cb(); } });
  }

  get instructions(): number { return this.chip.instructions; }
  get cycles(): number { return this.chip.cycles; }
  get errors(): string[] { return this.chip.errors; }

  start(): void {
    if (this.running) return;
    this.running = true;
    const slice = () => {
      if (!this.running) return;
      this.chip.run(200_000);
      if (this.chip.breakCode !== null) { this.running = false; this.log.push(`(stopped: BKPT ${this.chip.breakCode})`); return; }
      setImmediate(slice);
    };
    setImmediate(slice);
  }

  stop(): void {
    this.running = false;
  }

  /** The first log line (UART1) matching `re`, from those already logged or the next ones; rejects after `timeoutMs`. */
  waitForLog(re: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.log.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { re, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        this.logWaiters.splice(this.logWaiters.indexOf(waiter), 1);
        reject(new Error(`the emulated rp2040 logged no line matching ${re} in ${timeoutMs} ms (its log: ${this.log.slice(-5).join(' / ') || 'nothing'})`));
      }, timeoutMs);
      this.logWaiters.push(waiter);
    });
  }

  private onLogByte(b: number): void {
    if (b !== 0x0a) { this.logPartial += String.fromCharCode(b); return; }
    const line = this.logPartial;
    this.logPartial = '';
    this.log.push(line);
    for (const w of this.logWaiters.filter((x) => x.re.test(line))) {
      this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
      w.resolve(line);
    }
  }
}
