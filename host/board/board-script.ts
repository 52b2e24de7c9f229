// The conformance protocol of the posix board's --script mode (boards/runtime/platform/posix):
// steps the test drives (clock, frames, calls, ticks) and the transcript of what the kernel and
// its cells did in answer. The same steps run on V8 (KernelInstance + CellInstance) give the
// transcript the board must match byte for byte.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KernelInstance } from '../runtime/kernel-instance.ts';
import { CellInstance } from '../runtime/cell-instance.ts';
import type { CellStore } from '../store/cell-store.ts';
import { KERNEL_STATS } from '../runtime/kernel-stats.ts';
import { sha256 } from '@noble/hashes/sha2.js';

export type BoardStep =
  | { op: 'now'; ms: number }
  | { op: 'init'; node: number }
  | { op: 'host'; slot: number; species: number }
  | { op: 'peer'; node: number }
  | { op: 'frame'; bytes: Uint8Array }
  | { op: 'call'; dst: number; species: number; payload: Uint8Array }
  | { op: 'tick' }
  | { op: 'stat'; id: number }
  /** The posix board prints its peak resident bytes; V8 prints nothing. */
  | { op: 'mem' }
  /** The QEMU board prints its C stack's high-water mark (`cstack N`, a painted stack); the posix board `cstack -1`; V8 nothing. */
  | { op: 'cstack' }
  /** From here on each frame, call and tick also prints `ticks N`: the platform's core-clock ticks it took (QEMU only; bench/board-instructions.ts). */
  | { op: 'count' }
  /** A loop of exactly 2n instructions, printing its ticks: calibrates `count`. */
  | { op: 'spin'; n: number }
  /** The board's own SHA-256 of the bytes (core/module-hash.c); V8 answers with @noble/hashes. */
  | { op: 'sha256'; bytes: Uint8Array };

/** What a scripted board is made of: the kernel and its cells, one per slot in order. */
export interface BoardImage {
  kernel: Uint8Array;
  cells: Uint8Array[];
  /** xorshift32 seed of hal.random. */
  seed: number;
  fuelPerCall: number;
  /** Each slot's cell store on V8 (a host store file, or one in memory: the default). */
  stores?: Array<CellStore | undefined>;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A double as its 64 bits in hex: the line protocol prints no decimal that could round. */
export function doubleBits(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}

/** The step as a line of the --script protocol. */
function stepLine(s: BoardStep): string {
  switch (s.op) {
    case 'now': return `now ${doubleBits(s.ms)}`;
    case 'init': return `init ${s.node >>> 0}`;
    case 'host': return `host ${s.slot} ${s.species >>> 0}`;
    case 'peer': return `peer ${s.node | 0}`;
    case 'frame': return `frame ${hex(s.bytes)}`;
    case 'call': return `call ${s.dst >>> 0} ${s.species >>> 0} ${hex(s.payload)}`;
    case 'tick': return 'tick';
    case 'stat': return `stat ${s.id}`;
    case 'mem': return 'mem';
    case 'cstack': return 'cstack';
    case 'count': return 'count';
    case 'spin': return `spin ${s.n >>> 0}`;
    case 'sha256': return `sha256 ${hex(s.bytes)}`;
  }
}

/** xorshift32 (Marsaglia 2003), the posix board's scripted hal.random. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** One scripted board on V8, stepped one step at a time (so a test can run a peer beside it). */
export class V8ScriptedBoard {
  readonly transcript: string[] = [];
  private now = 0;
  private constructor(private kernel: KernelInstance | undefined, private readonly cells: CellInstance[]) {}

  /** Frames the kernel sent since the last call to this (for a peer the test runs beside it). */
  readonly outbox: Uint8Array[] = [];

  static async create(image: BoardImage): Promise<V8ScriptedBoard> {
    const out: string[] = [];
    const cells: CellInstance[] = [];
    const logLine = (level: number, text: string) => out.push(`log ${level} ${hex(Buffer.from(text, 'utf8'))}`);
    for (const [slot, wasm] of image.cells.entries()) {
      cells.push(await CellInstance.load(wasm, { maxPages: 1, fuelPerCall: image.fuelPerCall, onLog: logLine, store: image.stores?.[slot] }));
    }
    const board = new V8ScriptedBoard(undefined, cells);
    board.transcript.push(...out.splice(0));
    const random = xorshift32(image.seed);
    const module = await KernelInstance.compile(image.kernel);
    board.kernel = KernelInstance.instantiate(module, {
      send: (frame) => {
        board.transcript.push(`send ${hex(frame)}`);
        board.outbox.push(frame.slice());
      },
      now: () => board.now,
      random,
      log: (level, text) => board.transcript.push(`log ${level} ${hex(Buffer.from(text, 'utf8'))}`),
      cellCall: (slot, input, output) => {
        const cell = cells[slot]!;
        const before = cell.stats.fuelTotal;
        const r = cell.handleInto(input, output);
        board.transcript.push(...out.splice(0), `fuel ${slot} ${cell.stats.fuelTotal - before}`);
        return r;
      },
      deliver: (kind, seq, src, payload) => board.transcript.push(`deliver ${kind} ${seq} ${src >>> 0} ${hex(payload)}`),
    });
    // Cell logs wait in `out` until the call that made them ends, as the board prints them.
    board.transcript.push('ready');
    return board;
  }

  step(s: BoardStep): void {
    const k = this.kernel!;
    const t = this.transcript;
    switch (s.op) {
      case 'now': this.now = s.ms; break;
      case 'init': k.init(s.node >>> 0, this.now); break;
      case 'host': k.host(s.slot, s.species >>> 0); t.push('result 0'); break;
      case 'peer': k.addPeer(s.node >>> 0); t.push('result 0'); break;
      case 'frame': t.push(`result ${k.onFrame(s.bytes)}`); break;
      case 'call': t.push(`result ${k.call(s.dst >>> 0, s.species >>> 0, s.payload)}`); break;
      case 'tick': t.push(`wake ${doubleBits(k.tick(this.now))}`); break;
      case 'stat': t.push(`result ${k.stats()[KERNEL_STATS[s.id]!] | 0}`); break;
      case 'mem': break;
      case 'cstack': break;
      case 'sha256': t.push(`sha256 ${hex(sha256(s.bytes))}`); break;
      case 'count': case 'spin': throw new Error(`V8ScriptedBoard: ${s.op} is measured on a board only`);
    }
    t.push('ok');
  }
}

/**
 * Runs the steps on the posix board (`binary --script`) and returns its transcript. The steps
 * are written all at once: the board answers each in order, so no step waits on a timer.
 */
export function runPosixBoard(binary: string, image: { kernelPath: string; cellPaths: string[]; seed: number; fuelPerCall: number; storePath?: string }, steps: BoardStep[]): Promise<string[]> {
  const args = ['--kernel', image.kernelPath, '--script', '--seed', String(image.seed), '--fuel', String(image.fuelPerCall)];
  // A file as the board's flash: its cell store survives the process (else it lives in memory).
  if (image.storePath) args.push('--store', image.storePath);
  image.cellPaths.forEach((p, i) => args.push('--cell', `${p}:${i + 1}`));
  return runScripted(binary, args, scriptText(steps));
}

/**
 * Runs the steps on a QEMU board image (UART0 on stdio); its kernel and cells are linked in.
 * The first line tells the image its random seed, fuel per call and wasm3 stack.
 */
/**
 * `timeoutMs`: stop the emulator after this long and fail (the RAM hunt: a board that faults while
 * out of memory can spin in its fault handler rather than exit; docs/boards.md, Not done).
 */
export function runQemuBoard(qemu: { command: string; args: string[] }, image: { seed: number; fuelPerCall: number; stackBytes: number }, steps: BoardStep[], timeoutMs?: number): Promise<string[]> {
  return runScripted(qemu.command, qemu.args, scriptText(steps, image), timeoutMs);
}

/**
 * What a scripted board reads: a bare-metal board's boot line (its random seed, fuel per call and
 * wasm3 stack: it has no command line) when `boot` is given, the steps one per line, then quit.
 */
export function scriptText(steps: BoardStep[], boot?: { seed: number; fuelPerCall: number; stackBytes: number }): string {
  return (boot ? `boot ${boot.seed} ${boot.fuelPerCall} ${boot.stackBytes}\n` : '') + steps.map(stepLine).join('\n') + '\nquit\n';
}

async function runScripted(command: string, args: string[], script: string, timeoutMs?: number): Promise<string[]> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let timedOut = false;
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; child.kill(); }, timeoutMs);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout });
  rl.on('line', (l) => lines.push(l));
  child.stdin.on('error', () => {}); // a board that died is reported by its exit below
  child.stdin.end(script);
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearTimeout(timer);
  if (timedOut) throw new Error(`${command} did not finish within ${timeoutMs} ms: ${lines.slice(-3).join(' / ')}`);
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${stderr.trim() || lines.slice(-3).join(' / ')}`);
  return lines;
}
