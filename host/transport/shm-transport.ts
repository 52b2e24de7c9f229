// Shared-memory transport between threads of one process: two SPSC rings (host/transport/
// shm-ring.ts), one per direction, each record one frame. Side 'a' writes aToB and reads bToA;
// side 'b' the reverse. The SharedArrayBuffers go to a worker through workerData.
// Why worker threads and not processes: docs/shm.md.
import { checkFrame } from '../wire/header.ts';
import type { Transport, TransportStats } from './transport.ts';
import { createRing, DEFAULT_RING_BYTES, ShmRingReader, ShmRingWriter } from './shm-ring.ts';

// Microtask turns the receive loop gives handlers' continuations before it spins.
const YIELDS = 4;

export interface ShmBuffers {
  aToB: SharedArrayBuffer;
  bToA: SharedArrayBuffer;
}

export type ShmSide = 'a' | 'b';

export interface ShmTransportOptions {
  /** 'async' (default): a receive loop on the event loop that spins briefly and then parks in
   *  Atomics.waitAsync, so the thread stays free. 'poll': nothing runs by itself; the owner
   *  calls poll() or pollWait(), as a dedicated busy-polling worker does. */
  receive?: 'async' | 'poll';
  /** Reads of the ring's head before the async loop parks (a reply often lands meanwhile). */
  spin?: number;
  /** Frames delivered per turn before the async loop yields to other work. */
  batch?: number;
}

export interface ShmTransportStats extends TransportStats {
  /** Frames that found the ring full and queued locally until it drained (none lost). */
  backlogged: number;
  /** Frames not sent: larger than a ring record, sent after close, or queued at close. */
  sendDropped: number;
  /** Times the incoming ring held impossible contents and was resynchronised (also in dropped). */
  resyncs: number;
  /** Async waits ended by the re-check timer rather than the peer's notify (docs/shm.md). */
  lostWakes: number;
}

export interface ShmPairOptions extends ShmTransportOptions {
  /** Data bytes per ring (power of two; default 256 KiB, room for two maximal frames). */
  ringBytes?: number;
}

export class ShmTransport implements Transport {
  readonly name = 'shm';
  readonly stats: ShmTransportStats = { framesOut: 0, framesIn: 0, dropped: 0, backlogged: 0, sendDropped: 0, resyncs: 0, lostWakes: 0 };
  /** Largest byte string send() carries (one ring record). */
  readonly maxRecord: number;
  get maxFrame(): number {
    return this.maxRecord;
  }
  private readonly tx: ShmRingWriter;
  private readonly rx: ShmRingReader;
  private readonly mode: 'async' | 'poll';
  private readonly spin: number;
  private readonly batch: number;
  private handler: ((frame: Uint8Array) => void) | undefined;
  private closed = false;
  private pumping: Promise<void> | undefined;
  // Frames waiting for ring space, oldest first, from index `backlogStart`.
  private backlog: Uint8Array[] = [];
  private backlogStart = 0;
  private flushing = false;

  private constructor(buffers: ShmBuffers, side: ShmSide, opts: ShmTransportOptions) {
    this.tx = new ShmRingWriter(side === 'a' ? buffers.aToB : buffers.bToA);
    this.rx = new ShmRingReader(side === 'a' ? buffers.bToA : buffers.aToB);
    this.maxRecord = this.tx.maxRecord;
    this.mode = opts.receive ?? 'async';
    this.spin = opts.spin ?? 200;
    this.batch = opts.batch ?? 256;
  }

  /** Creates the shared memory for one link. */
  static buffers(opts: { ringBytes?: number } = {}): ShmBuffers {
    const n = opts.ringBytes ?? DEFAULT_RING_BYTES;
    return { aToB: createRing(n), bToA: createRing(n) };
  }

  /** Opens one end of a link; each side may be attached once (single producer, single consumer). */
  static attach(buffers: ShmBuffers, side: ShmSide, opts: ShmTransportOptions = {}): ShmTransport {
    if (side !== 'a' && side !== 'b') throw new TypeError(`side must be 'a' or 'b', got ${String(side)}`);
    return new ShmTransport(buffers, side, opts);
  }

  /** Both ends in this thread, plus the buffers (for tests and same-thread use). */
  static pair(opts: ShmPairOptions = {}): { a: ShmTransport; b: ShmTransport; buffers: ShmBuffers } {
    const buffers = ShmTransport.buffers(opts);
    return { a: ShmTransport.attach(buffers, 'a', opts), b: ShmTransport.attach(buffers, 'b', opts), buffers };
  }

  /** Writes the bytes as one ring record. The receiver validates them, as a wire would; bytes
   *  the ring cannot hold are counted in sendDropped. When the ring is full the frame waits in
   *  a local backlog, in order, until the peer makes room. */
  send(frame: Uint8Array): void {
    if (this.closed || this.tx.closed || frame.length > this.maxRecord) {
      this.stats.sendDropped++;
      return;
    }
    if (this.backlogStart === this.backlog.length && this.tx.tryWrite(frame)) {
      this.stats.framesOut++;
      return;
    }
    this.backlog.push(frame.slice()); // the caller may reuse its buffer
    this.stats.backlogged++;
    if (!this.flushBacklog() && !this.flushing) void this.flushLoop();
  }

  /** Frames queued locally because the ring was full. */
  get pending(): number {
    return this.backlog.length - this.backlogStart;
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
    if (this.mode === 'async' && !this.pumping && !this.closed) this.pumping = this.pump();
  }

  /** Delivers the frames waiting now (at most `max`) and pushes out any backlog; returns how
   *  many records were taken. For 'poll' mode; harmless in 'async' mode. */
  poll(max = Infinity): number {
    if (this.pending > 0) this.flushBacklog();
    if (!this.handler || this.closed) return 0;
    let n = 0;
    while (n < max) {
      const f = this.rx.tryRead();
      if (!f) break;
      n++;
      this.deliver(f);
    }
    this.stats.lostWakes = this.rx.lostWakes + this.tx.lostWakes;
    if (this.rx.corrupt !== this.stats.resyncs) {
      this.stats.dropped += this.rx.corrupt - this.stats.resyncs;
      this.stats.resyncs = this.rx.corrupt;
    }
    return n;
  }

  /** Blocks the thread until frames arrive (spinning `spin` reads first), then delivers them.
   *  Returns 0 on timeout or when the link is closed. For dedicated workers only. */
  pollWait(spin = 1000, timeoutMs = Infinity): number {
    const n = this.poll();
    if (n > 0 || this.closed) return n;
    if (!this.rx.spinForData(spin)) {
      if (this.rx.closed) return 0;
      this.rx.sleep(timeoutMs);
    }
    return this.poll();
  }

  /** True once either end closed the link. */
  get linkClosed(): boolean {
    return this.closed || this.rx.closed || this.tx.closed;
  }

  private deliver(f: Uint8Array): void {
    if (checkFrame(f) !== 0) {
      this.stats.dropped++;
      return;
    }
    this.stats.framesIn++;
    try {
      this.handler!(f);
    } catch (err) {
      // A throwing handler must not stop the receive loop; the error still surfaces.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  private async pump(): Promise<void> {
    await Promise.resolve(); // never deliver from inside onFrame()
    let sinceTurn = 0;
    while (!this.closed) {
      const n = this.poll(this.batch);
      sinceTurn += n;
      if (sinceTurn >= this.batch) {
        // A steady stream (each spin catching more) must still let timers and I/O run.
        await new Promise<void>((r) => setImmediate(r));
        sinceTurn = 0;
        continue;
      }
      if (n > 0) {
        // Let what the handlers started (a promise resolved by a reply, the next request) run
        // before spinning: an RPC's next frame is usually a reaction to the last one.
        for (let i = 0; i < YIELDS; i++) await undefined;
      }
      if (this.rx.spinForData(this.spin)) continue;
      if (this.rx.closed) return; // the peer closed and everything it sent is delivered
      if (await this.rx.waitReadable()) sinceTurn = 0; // parked: the event loop turned
    }
  }

  private flushBacklog(): boolean {
    while (this.backlogStart < this.backlog.length) {
      if (!this.tx.tryWrite(this.backlog[this.backlogStart]!)) return false;
      this.backlogStart++;
      this.stats.framesOut++;
    }
    this.backlog = [];
    this.backlogStart = 0;
    return true;
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    try {
      while (!this.flushBacklog()) {
        if (this.closed || this.tx.closed) {
          this.stats.sendDropped += this.pending;
          this.backlog = [];
          this.backlogStart = 0;
          return;
        }
        await this.tx.waitWritable(this.backlog[this.backlogStart]!.length);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Closes the link for both ends: each side's receive loop wakes, delivers what is already
   *  in its ring, and stops. Frames still in this side's backlog are counted in sendDropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tx.close();
    this.rx.close();
    await this.pumping;
    if (!this.flushing && this.pending > 0) {
      this.stats.sendDropped += this.pending;
      this.backlog = [];
      this.backlogStart = 0;
    }
  }
}
