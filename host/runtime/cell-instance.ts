// Hosts one cell module (docs/abi.md, Cell ABI) with a memory cap and a per-call fuel cap, so a
// trapping, runaway or memory-hungry cell costs one ERROR answer and never the node. After any
// trap the instance's memory may be mid-update, so the next call runs on a fresh instance made
// from the already compiled module.
import { inspectWasm } from '../build/inspect.ts';
import { checkProfile } from '../build/profile.ts';
import { FUEL_EXPORT, OOM_EXPORT } from '../build/cell-globals.ts';
import { ErrorCode, encodeErrorPayload } from '../wire/error-codes.ts';
import { readAsString } from './as-string.ts';
import { CellStore } from '../store/cell-store.ts';

export interface CellInstanceOptions {
  /** Memory cap in 64 KiB pages; the module's (fixed) maximum must not exceed it. */
  maxPages: number;
  /** Instructions one call may run (1 .. 2^31-1). */
  fuelPerCall: number;
  /** hal.log from the cell: level 0 debug .. 3 error. */
  onLog?: (level: number, text: string) => void;
  /** The cell's durable store (hal.store_*); default: one that lives only in this process. */
  store?: CellStore;
}

export interface CellResult {
  kind: 'reply' | 'error';
  /** REPLY payload, or ERROR payload (CBOR [code, message]); a copy the caller owns. */
  bytes: Uint8Array;
  /** Metered instructions the call ran (the whole budget when it ran out). */
  fuelUsed: number;
}

export interface CellStats {
  calls: number;
  /** Calls that trapped for any reason (includes outOfFuel and outOfMemory) or broke the ABI. */
  traps: number;
  outOfFuel: number;
  outOfMemory: number;
  /** Fresh instances made after a trap. */
  reinstantiations: number;
  /** Sum of fuelUsed over all calls: the cell's CPU for mitosis. */
  fuelTotal: number;
}

/** The module cannot be hosted (not wasm, outside the profile, over the cap, ABI missing). */
export class CellLoadError extends Error {
  override name = 'CellLoadError';
}

/** Thrown through the cell's stack by hal.panic to unwind it. */
class CellPanic extends Error {}

/** The cell broke the ABI from inside a call (e.g. hal.log outside its memory). */
class CellFault extends Error {}

interface CellExports {
  memory: WebAssembly.Memory;
  cell_in(): number;
  cell_in_cap(): number;
  cell_out(): number;
  cell_out_cap(): number;
  cell_handle(len: number): number;
  cell_fuel: WebAssembly.Global;
  cell_oom?: WebAssembly.Global;
}

const REQUIRED_FUNCTIONS = ['cell_in', 'cell_in_cap', 'cell_out', 'cell_out_cap', 'cell_handle'] as const;
const MAX_I32 = 0x7fffffff;
// Messages of AssemblyScript aborts and V8 errors that mean "could not allocate".
const MEMORY_WORDS = /alloc|memory/i;

interface Live {
  exports: CellExports;
  inPtr: number;
  inCap: number;
  outPtr: number;
  outCap: number;
}

interface Outcome {
  kind: 'reply' | 'error';
  /** A view into cell memory (reply or cell-made error) or a fresh host-made error payload. */
  bytes: Uint8Array;
  fuelUsed: number;
}

export class CellInstance {
  readonly stats: CellStats = { calls: 0, traps: 0, outOfFuel: 0, outOfMemory: 0, reinstantiations: 0, fuelTotal: 0 };
  /** The abort message of the most recent hal.panic, for diagnostics. */
  lastPanic: string | undefined;
  private live: Live | undefined;
  private panicMessage: string | undefined;

  private constructor(
    private readonly module: WebAssembly.Module,
    private readonly opts: Readonly<CellInstanceOptions>,
    /** The module's fixed memory size, for messages. */
    readonly pages: number,
    /**
     * Bytes of its memory the cell declares it uses (custom section `cell.memory`,
     * host/build/cell-memory.ts), when it declares them. A board allocates only these; here the
     * page stays whole, but the HAL and the ABI's buffers are held to the same bound, so a cell
     * reaching past it gets the answer a board gives.
     */
    readonly declaredBytes?: number,
  ) {
    this.storeOf = opts.store ?? CellStore.inMemory();
  }

  static async load(wasm: Uint8Array, opts: CellInstanceOptions): Promise<CellInstance> {
    checkOptions(opts);
    let facts;
    try {
      facts = inspectWasm(wasm);
    } catch (err) {
      throw new CellLoadError(`cannot host this cell: ${(err as Error).message}`);
    }
    const problems: string[] = [];
    // The memory cap first and in plain words: it is the containment that matters most.
    const mem = facts.memory;
    if (!mem) problems.push('it declares no memory');
    else if (mem.maximumPages === null) problems.push(`its memory has no maximum (initial ${mem.initialPages} pages), so it could grow past the ${opts.maxPages}-page cap`);
    else if (mem.maximumPages > opts.maxPages) problems.push(`its memory maximum of ${mem.maximumPages} pages exceeds the ${opts.maxPages}-page cap`);
    const capProblem = problems.length > 0;
    for (const p of checkProfile(wasm, { kind: 'cell', maxPages: opts.maxPages }).problems) {
      if (!(capProblem && p.startsWith('memory:'))) problems.push(p); // no second wording of the same cap problem
    }
    const exported = new Map(facts.exports.map((e) => [e.name, e.kind]));
    if (exported.get('memory') !== 'memory') problems.push('it does not export its memory as "memory"');
    for (const name of REQUIRED_FUNCTIONS) {
      if (exported.get(name) !== 'function') problems.push(`it does not export the function "${name}" (docs/abi.md, Cell ABI)`);
    }
    if (exported.get(FUEL_EXPORT) !== 'global') {
      problems.push(`it does not export the "${FUEL_EXPORT}" global: meter it with instrumentFuel (host/build/meter.ts)`);
    }
    if (problems.length > 0) throw new CellLoadError(`cannot host this cell:\n  - ${problems.join('\n  - ')}`);

    let module: WebAssembly.Module;
    try {
      // Compiled on this thread: a cell is a few KB (a few ms).
      module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new CellLoadError(`cannot host this cell: ${(err as Error).message}`);
    }
    const cell = new CellInstance(module, { ...opts }, mem!.maximumPages!, facts.memoryBytes);
    try {
      cell.live = cell.instantiate();
    } catch (err) {
      throw new CellLoadError(`cannot host this cell: it failed to start: ${cell.describe(err)}`);
    }
    return cell;
  }

  /** True after a trap, until the next call replaces the instance. */
  get poisoned(): boolean {
    return this.live === undefined;
  }

  /** Runs one CALL payload; the result's bytes are the caller's to keep. */
  call(payload: Uint8Array): CellResult {
    if (!(payload instanceof Uint8Array)) throw new TypeError(`CellInstance.call expects a Uint8Array payload, got ${typeof payload}`);
    const o = this.settle(this.invoke(payload));
    return { kind: o.kind, bytes: o.bytes.slice(), fuelUsed: o.fuelUsed };
  }

  /** The cell's store (hal.store_*). */
  get store(): CellStore {
    return this.storeOf;
  }

  private readonly storeOf: CellStore;

  /**
   * The store's side of an answer: a REPLY's writes are made durable before it leaves; an ERROR
   * (including a trap) leaves the store as it was. A disk that refuses the write turns the REPLY
   * into an ERROR, so an acknowledged write is always a durable one.
   */
  private settle(o: Outcome): Outcome {
    if (o.kind !== 'reply') {
      this.storeOf.discard();
      return o;
    }
    try {
      this.storeOf.commit();
    } catch (err) {
      return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.CELL_TRAP, `trap: the store write failed: ${(err as Error).message}`), fuelUsed: o.fuelUsed };
    }
    return o;
  }

  /**
   * hal.cell_call's convention: writes the result into `dst` and returns its length for a REPLY
   * or minus its length for an ERROR payload. A result larger than `dst` becomes a TOO_LARGE error.
   */
  handleInto(src: Uint8Array, dst: Uint8Array): number {
    if (!(src instanceof Uint8Array) || !(dst instanceof Uint8Array)) throw new TypeError('CellInstance.handleInto expects two Uint8Arrays');
    const o = this.invoke(src);
    let { kind, bytes } = o;
    if (bytes.length > dst.length) {
      this.storeOf.discard();
      kind = 'error';
      bytes = encodeErrorPayload(ErrorCode.TOO_LARGE, `${o.kind === 'reply' ? 'reply' : 'error payload'} of ${o.bytes.length} bytes does not fit the ${dst.length}-byte buffer`);
      if (bytes.length > dst.length) bytes = encodeErrorPayload(ErrorCode.TOO_LARGE, 'too large');
      if (bytes.length > dst.length) throw new RangeError(`CellInstance.handleInto: a ${dst.length}-byte result buffer cannot hold even an ERROR payload (${bytes.length} bytes)`);
    } else {
      ({ kind, bytes } = this.settle(o));
    }
    dst.set(bytes);
    return kind === 'reply' ? bytes.length : -bytes.length;
  }

  private invoke(src: Uint8Array): Outcome {
    this.stats.calls++;
    let live = this.live;
    if (!live) {
      try {
        live = this.live = this.instantiate();
        this.stats.reinstantiations++;
      } catch (err) {
        this.stats.traps++;
        return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.CELL_TRAP, `trap: the cell could not be restarted: ${this.describe(err)}`), fuelUsed: 0 };
      }
    }
    if (src.length > live.inCap) {
      return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.TOO_LARGE, `request of ${src.length} bytes exceeds the cell's ${live.inCap}-byte input buffer`), fuelUsed: 0 };
    }
    const { exports } = live;
    new Uint8Array(exports.memory.buffer).set(src, live.inPtr);
    if (exports.cell_oom) exports.cell_oom.value = 0;
    this.panicMessage = undefined;
    const budget = this.opts.fuelPerCall;
    exports.cell_fuel.value = budget;
    let r: number;
    try {
      r = exports.cell_handle(src.length);
    } catch (err) {
      return this.trapped(live, err);
    }
    const fuelUsed = budget - (exports.cell_fuel.value as number);
    this.stats.fuelTotal += fuelUsed;
    const len = r < 0 ? -r : r;
    if (len > live.outCap) {
      // A lying length would make us read memory the cell never wrote; its state is suspect too.
      this.stats.traps++;
      this.live = undefined;
      const what = r < 0 ? 'an error payload' : 'a reply';
      return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.CELL_TRAP, `trap: the cell returned ${what} of ${len} bytes, beyond its ${live.outCap}-byte output buffer`), fuelUsed };
    }
    const bytes = new Uint8Array(exports.memory.buffer, live.outPtr, len);
    return { kind: r < 0 ? 'error' : 'reply', bytes, fuelUsed };
  }

  private trapped(live: Live, err: unknown): Outcome {
    this.live = undefined; // memory may be mid-update: never run this instance again
    this.stats.traps++;
    const budget = this.opts.fuelPerCall;
    const left = live.exports.cell_fuel.value as number;
    if (left < 0) {
      this.stats.outOfFuel++;
      this.stats.fuelTotal += budget;
      return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.OUT_OF_FUEL, `out of fuel after ${budget} instructions`), fuelUsed: budget };
    }
    const fuelUsed = budget - left;
    this.stats.fuelTotal += fuelUsed;
    const panic = err instanceof CellPanic ? this.panicMessage : undefined;
    const growFailed = live.exports.cell_oom?.value === 1;
    const hostOom = err instanceof RangeError && MEMORY_WORDS.test(err.message);
    if (growFailed || hostOom || (panic !== undefined && MEMORY_WORDS.test(panic))) {
      this.stats.outOfMemory++;
      const why = panic ?? (growFailed ? `memory.grow failed: the cell's ${this.memoryWords()} memory is full` : (err as Error).message);
      return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.OUT_OF_MEMORY, `out of memory: ${why}`), fuelUsed };
    }
    return { kind: 'error', bytes: encodeErrorPayload(ErrorCode.CELL_TRAP, `trap: ${this.describe(err)}`), fuelUsed };
  }

  /** "1-page" or, for a cell that declares its memory, "16384-byte": the same words as a board's. */
  private memoryWords(): string {
    return this.declaredBytes === undefined ? `${this.pages}-page` : `${this.declaredBytes}-byte`;
  }

  private describe(err: unknown): string {
    if (err instanceof CellPanic) return `abort: ${this.panicMessage ?? err.message}`;
    if (err instanceof Error) return err.message;
    return String(err);
  }

  /** A fresh instance with its buffers checked against its memory. */
  private instantiate(): Live {
    let exports: CellExports | undefined;
    const memory = (): WebAssembly.Memory | undefined => exports?.memory;
    const declared = this.declaredBytes;
    /** The bytes of its memory the cell may use: all of it, or what it declares. */
    const usable = (mem: WebAssembly.Memory): number => Math.min(mem.buffer.byteLength, declared ?? Infinity);
    /** Bytes [ptr, ptr+len) of cell memory; a range outside it breaks the ABI. */
    const range = (what: string, ptr: number, len: number): Uint8Array => {
      const mem = memory();
      if (!mem) throw new CellFault(`hal.${what} called while the cell was starting`);
      const start = ptr >>> 0;
      const size = len >>> 0;
      if (start + size > usable(mem)) throw new CellFault(`hal.${what} range ${start}+${size} is outside the cell's ${usable(mem)}-byte memory`);
      return new Uint8Array(mem.buffer, start, size);
    };
    /** Copies `bytes` to the cell's buffer if they fit; returns their length either way (docs/abi.md). */
    const give = (what: string, bytes: Uint8Array | undefined, outPtr: number, outCap: number): number => {
      if (bytes === undefined) return -1;
      const out = range(what, outPtr, outCap);
      if (bytes.length <= out.length) out.set(bytes);
      return bytes.length;
    };
    const store = this.storeOf;
    const imports = {
      hal: {
        store_get: (kp: number, kl: number, op: number, oc: number): number => give('store_get', store.get(range('store_get', kp, kl)), op, oc),
        store_put: (kp: number, kl: number, vp: number, vl: number): number => -store.put(range('store_put', kp, kl), range('store_put', vp, vl)),
        store_del: (kp: number, kl: number): number => (store.delete(range('store_del', kp, kl)) ? 1 : 0),
        store_next: (kp: number, kl: number, op: number, oc: number): number => give('store_next', store.next(range('store_next', kp, kl)), op, oc),
        panic: (msg: number, file: number, line: number, col: number): never => {
          const mem = memory();
          // During the start function the instance (and its memory) is not ours yet.
          const text = mem ? `${readAsString(mem, msg) ?? 'abort'} at ${readAsString(mem, file) ?? '?'}:${line}:${col}` : 'abort while starting';
          this.panicMessage = this.lastPanic = text;
          throw new CellPanic(text);
        },
        log: (level: number, ptr: number, len: number): void => {
          const mem = memory();
          if (!mem) return;
          const start = ptr >>> 0;
          const size = len >>> 0;
          if (start + size > usable(mem)) {
            throw new CellFault(`hal.log range ${start}+${size} is outside the cell's ${usable(mem)}-byte memory`);
          }
          const text = new TextDecoder().decode(new Uint8Array(mem.buffer, start, size));
          try {
            this.opts.onLog?.(level | 0, text);
          } catch {
            // A faulty logger is the host's bug; it must not count against the cell.
          }
        },
      },
    };
    const instance = new WebAssembly.Instance(this.module, imports);
    const e = instance.exports as unknown as CellExports;
    if (!(e.memory instanceof WebAssembly.Memory) || !(e.cell_fuel instanceof WebAssembly.Global)) {
      throw new CellFault('the cell ABI exports have the wrong kinds');
    }
    exports = e;
    e.cell_fuel.value = this.opts.fuelPerCall; // the buffer getters are metered too
    const live: Live = { exports: e, inPtr: e.cell_in() >>> 0, inCap: e.cell_in_cap(), outPtr: e.cell_out() >>> 0, outCap: e.cell_out_cap() };
    const size = usable(e.memory);
    for (const [ptr, cap, name] of [[live.inPtr, live.inCap, 'input'], [live.outPtr, live.outCap, 'output']] as const) {
      if (cap < 0 || ptr + cap > size) throw new CellFault(`the cell's ${name} buffer (${ptr}, ${cap} bytes) is not inside its ${size}-byte memory`);
    }
    return live;
  }
}

function checkOptions(opts: CellInstanceOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('CellInstance.load: options { maxPages, fuelPerCall } are required');
  if (!Number.isInteger(opts.maxPages) || opts.maxPages < 1) throw new RangeError(`CellInstance.load: maxPages must be a positive integer, got ${opts.maxPages}`);
  if (!Number.isInteger(opts.fuelPerCall) || opts.fuelPerCall < 1 || opts.fuelPerCall > MAX_I32) {
    throw new RangeError(`CellInstance.load: fuelPerCall must be an integer in 1..${MAX_I32}, got ${opts.fuelPerCall}`);
  }
  if (opts.onLog !== undefined && typeof opts.onLog !== 'function') throw new TypeError('CellInstance.load: onLog must be a function');
}
