// A lock-free single-producer/single-consumer byte ring in a SharedArrayBuffer (docs/shm.md).
// One thread writes records with ShmRingWriter, one other thread (or the same one) reads them
// with ShmRingReader. A record is a u32 length and that many bytes, padded to 4; a record that
// does not fit before the end is preceded by a PAD marker that sends the reader back to 0.
//
// Memory ordering: record bytes are plain stores before an Atomics.store of `head`, and plain
// loads after an Atomics.load of `head`; JS Atomics are sequentially consistent, so a reader that
// sees a head value sees every byte written before it. The same holds for `tail` the other way:
// the writer never overwrites bytes before it has seen the reader publish them as consumed.

/** Control block layout, in Int32 indices. Each word the two sides write sits on its own
 *  128-byte line so the producer's and consumer's stores never share a cache line. */
export const HEAD = 0; // byte 0: producer's position (u32, counts bytes forever, wraps at 2^32)
export const TAIL = 32; // byte 128: consumer's position
export const READER_SLEEPING = 64; // byte 256: consumer set it before Atomics.wait on HEAD
export const WRITER_SLEEPING = 96; // byte 384: producer set it before Atomics.wait on TAIL
export const MAGIC_WORD = 128; // byte 512: RING_MAGIC, written once
export const CAPACITY_WORD = 129; // byte 516: data area size, written once
export const CLOSED = 130; // byte 520: 1 once either side closed the ring
export const CONTROL_BYTES = 640;

export const RING_MAGIC = 0x52_49_4e_47; // "RING"
/** Length word of the marker that sends the reader back to offset 0. */
export const PAD = 0xffffffff;
export const DEFAULT_RING_BYTES = 256 * 1024;

const align4 = (n: number): number => (n + 3) & ~3;
const SLAB_BYTES = 32 * 1024;
const SLAB_MAX_RECORD = 2048;

/** Creates the shared memory for one ring: a control block and `capacity` data bytes. */
export function createRing(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  // A power of two divides 2^32, so positions stay consistent when the u32 counters wrap.
  if (!Number.isInteger(capacity) || capacity < 64 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity must be a power of two in 64..2^30, got ${capacity}`);
  }
  const sab = new SharedArrayBuffer(CONTROL_BYTES + capacity);
  const ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
  ctl[CAPACITY_WORD] = capacity;
  ctl[MAGIC_WORD] = RING_MAGIC;
  return sab;
}

/** Parks on `ctl[index]` while it holds `value`, without blocking the thread; resolves when
 *  notified, or when `ready()` turns true without a notify arriving. The second way exists
 *  because in Node 20 a notify from another thread sometimes does not wake the event loop: the
 *  promise settles only when the loop wakes for another reason, which may be never (seen here:
 *  a parked receive loop with a reply in the ring, for good). A timer re-checks with a backoff
 *  (1 ms doubling to 1 s), so a missed wake costs a delay, never a hang (docs/shm.md).
 *  The timer is ref'd, so it also keeps Node alive while a transport waits for frames, as an
 *  open socket does (a bare waitAsync does not: nodejs/node#61941).
 *  Says whether it waited at all, and how it ended. */
async function park(view: RingView, index: number, value: number, ready: () => boolean): Promise<'not-equal' | 'notified' | 'rescued'> {
  const w = Atomics.waitAsync(view.ctl, index, value);
  if (!w.async) return 'not-equal';
  view.parks++;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const how = await new Promise<'notified' | 'rescued'>((resolve) => {
    void w.value.then(() => resolve('notified'));
    let delay = 1;
    const check = (): void => {
      if (ready()) return resolve('rescued');
      delay = Math.min(delay * 2, 1000);
      timer = setTimeout(check, delay);
    };
    timer = setTimeout(check, delay);
  });
  clearTimeout(timer);
  if (how === 'rescued') view.lostWakes++;
  return how;
}

/** The views and constants both ends share; validates the block it is given. */
class RingView {
  /** Async waits, and those that ended by re-checking, not by the peer's notify (see park()). */
  parks = 0;
  lostWakes = 0;
  readonly ctl: Int32Array;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly capacity: number;
  readonly mask: number;
  /** Largest record payload: half the ring, so an empty ring always takes it even after a PAD. */
  readonly maxRecord: number;

  constructor(sab: SharedArrayBuffer) {
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < CONTROL_BYTES + 64) throw new TypeError('not a ring buffer');
    this.ctl = new Int32Array(sab, 0, CONTROL_BYTES / 4);
    const capacity = Atomics.load(this.ctl, CAPACITY_WORD);
    if (Atomics.load(this.ctl, MAGIC_WORD) !== RING_MAGIC || capacity !== sab.byteLength - CONTROL_BYTES || (capacity & (capacity - 1)) !== 0) {
      throw new TypeError('not a ring buffer (bad magic or capacity)');
    }
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.maxRecord = capacity / 2 - 4;
    this.bytes = new Uint8Array(sab, CONTROL_BYTES, capacity);
    this.words = new Uint32Array(sab, CONTROL_BYTES, capacity / 4);
  }

  get closed(): boolean {
    return Atomics.load(this.ctl, CLOSED) !== 0;
  }

  /** Marks the ring closed and wakes whoever sleeps on it; both ends see it. */
  close(): void {
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.notify(this.ctl, HEAD);
    Atomics.notify(this.ctl, TAIL);
  }
}

/** The producing end. Use from one thread only. */
export class ShmRingWriter extends RingView {
  private head: number; // own position, the only writer of HEAD
  private tailSeen: number; // last TAIL read; refreshed only when the ring looks full
  /** Times the consumer's TAIL was impossible (a buggy peer); the write is refused. */
  badTail = 0;
  /** Times tryWrite found no room (back-pressure seen by this end). */
  full = 0;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.head = Atomics.load(this.ctl, HEAD) >>> 0;
    this.tailSeen = Atomics.load(this.ctl, TAIL) >>> 0;
  }

  /** Bytes this record takes in the ring at the current position, PAD included. */
  private need(length: number): number {
    const size = 4 + align4(length);
    const pos = this.head & this.mask;
    return pos + size > this.capacity ? this.capacity - pos + size : size;
  }

  private free(): number {
    const used = (this.head - this.tailSeen) >>> 0;
    return used > this.capacity || (used & 3) !== 0 ? -1 : this.capacity - used;
  }

  /** Whether a record of `length` bytes fits now. */
  fits(length: number): boolean {
    const need = this.need(length);
    if (this.free() >= need) return true;
    this.tailSeen = Atomics.load(this.ctl, TAIL) >>> 0;
    const free = this.free();
    if (free < 0) this.badTail++;
    return free >= need;
  }

  /** Appends one record; false when the ring has no room for it now (back-pressure). */
  tryWrite(frame: Uint8Array): boolean {
    const length = frame.length;
    if (length > this.maxRecord) throw new RangeError(`record of ${length} bytes exceeds the ring's ${this.maxRecord}`);
    if (!this.fits(length)) {
      this.full++;
      return false;
    }
    let pos = this.head & this.mask;
    const size = 4 + align4(length);
    let advance = size;
    if (pos + size > this.capacity) {
      this.words[pos >> 2] = PAD;
      advance += this.capacity - pos;
      pos = 0;
    }
    this.words[pos >> 2] = length;
    this.bytes.set(frame, pos + 4);
    this.head = (this.head + advance) >>> 0;
    Atomics.store(this.ctl, HEAD, this.head | 0); // publishes the bytes above
    // The flag is read after HEAD is stored; a reader sets it before re-reading HEAD, so one of
    // the two always notices the other (and Atomics.wait re-checks HEAD itself).
    if (Atomics.load(this.ctl, READER_SLEEPING) !== 0 && Atomics.exchange(this.ctl, READER_SLEEPING, 0) !== 0) {
      Atomics.notify(this.ctl, HEAD);
    }
    return true;
  }

  /** Appends one record, spinning `spin` times and then sleeping until there is room.
   *  False if the ring closed or `timeoutMs` passed first. Blocks the calling thread. */
  write(frame: Uint8Array, spin = 1000, timeoutMs = Infinity): boolean {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      if (this.closed) return false;
      if (this.tryWrite(frame)) return true;
      if (this.spinFor(frame.length, spin)) continue;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      this.sleep(left);
    }
  }

  private spinFor(length: number, spin: number): boolean {
    // fits() rather than tryWrite(): a spin is not a refused write.
    for (let i = 0; i < spin; i++) if (this.fits(length)) return true;
    return false;
  }

  /** Sleeps until the consumer moves TAIL (or a timeout); the caller re-checks. */
  private sleep(timeoutMs: number): void {
    Atomics.store(this.ctl, WRITER_SLEEPING, 1);
    const t = Atomics.load(this.ctl, TAIL);
    if (t === (this.tailSeen | 0) && !this.closed) Atomics.wait(this.ctl, TAIL, t, timeoutMs);
    Atomics.store(this.ctl, WRITER_SLEEPING, 0);
  }

  /** Resolves once a record of `length` bytes may fit (or the ring closed), without blocking
   *  the thread: for the event-loop world. */
  async waitWritable(length: number): Promise<void> {
    while (!this.closed && !this.fits(length)) {
      Atomics.store(this.ctl, WRITER_SLEEPING, 1);
      const t = Atomics.load(this.ctl, TAIL);
      if (t !== (this.tailSeen | 0) || this.closed) continue;
      await park(this, TAIL, t, () => this.closed || this.fits(length));
    }
    Atomics.store(this.ctl, WRITER_SLEEPING, 0);
  }
}

/** The consuming end. Use from one thread only. */
export class ShmRingReader extends RingView {
  private tail: number; // own position, the only writer of TAIL
  private headSeen: number; // last HEAD read; refreshed only when the ring looks empty
  /** Times the ring held something impossible (bad length, bad head); each time the reader
   *  skips everything written so far (resynchronises at HEAD). */
  corrupt = 0;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.tail = Atomics.load(this.ctl, TAIL) >>> 0;
    this.headSeen = Atomics.load(this.ctl, HEAD) >>> 0;
  }

  /** Whether a record (or a PAD, or junk to resync over) is waiting. */
  readable(): boolean {
    if (this.headSeen !== this.tail) return true;
    this.headSeen = Atomics.load(this.ctl, HEAD) >>> 0;
    return this.headSeen !== this.tail;
  }

  /** Bytes published and not yet consumed. */
  get used(): number {
    return (Atomics.load(this.ctl, HEAD) - this.tail) >>> 0;
  }

  private release(to: number): void {
    this.tail = to >>> 0;
    Atomics.store(this.ctl, TAIL, this.tail | 0); // after the record's bytes were read
    if (Atomics.load(this.ctl, WRITER_SLEEPING) !== 0 && Atomics.exchange(this.ctl, WRITER_SLEEPING, 0) !== 0) {
      Atomics.notify(this.ctl, TAIL);
    }
  }

  private resync(): void {
    this.corrupt++;
    this.release(this.headSeen);
  }

  /** Finds the next record: its byte offset and length, or -1 when the ring is empty (or was
   *  corrupt and has been resynchronised). Consumes PAD markers on the way. */
  private next(): number {
    for (;;) {
      if (!this.readable()) return -1;
      const used = (this.headSeen - this.tail) >>> 0;
      const pos = this.tail & this.mask;
      if (used > this.capacity || (used & 3) !== 0 || (pos & 3) !== 0) {
        this.resync();
        return -1;
      }
      const length = this.words[pos >> 2]!;
      if (length === PAD) {
        const skip = this.capacity - pos;
        if (skip > used) {
          this.resync();
          return -1;
        }
        this.release(this.tail + skip);
        continue;
      }
      const size = 4 + align4(length);
      if (length > this.maxRecord || size > used || pos + size > this.capacity) {
        this.resync();
        return -1;
      }
      this.nextLength = length;
      return pos;
    }
  }
  private nextLength = 0;

  // Copies are carved out of a private slab: `new Uint8Array(n)` above 64 bytes costs V8 a
  // malloc'd backing store (~300 ns here), a view on an existing buffer ~20 ns. A kept frame
  // keeps its slab alive, as Node's pooled Buffers do.
  private slab = new ArrayBuffer(SLAB_BYTES);
  private slabWords = new Uint32Array(this.slab);
  private slabUsed = 0;

  /** Takes the next record as a private copy (not in shared memory), or null when there is none. */
  tryRead(): Uint8Array | null {
    const pos = this.next();
    if (pos < 0) return null;
    const length = this.nextLength;
    const size = align4(length);
    let out: Uint8Array;
    if (size > SLAB_MAX_RECORD) {
      out = new Uint8Array(length);
      out.set(this.bytes.subarray(pos + 4, pos + 4 + length));
    } else {
      if (this.slabUsed + size > SLAB_BYTES) {
        this.slab = new ArrayBuffer(SLAB_BYTES);
        this.slabWords = new Uint32Array(this.slab);
        this.slabUsed = 0;
      }
      // Whole words: both sides are 4-aligned and the padding is part of the record.
      const from = (pos + 4) >> 2;
      const to = this.slabUsed >> 2;
      const words = this.words;
      const slabWords = this.slabWords;
      for (let k = 0, n = size >> 2; k < n; k++) slabWords[to + k] = words[from + k]!;
      out = new Uint8Array(this.slab, this.slabUsed, length);
      this.slabUsed += size;
    }
    this.release(this.tail + 4 + size);
    return out;
  }

  /** Zero-copy read: calls `visit` with a view of the next record inside the ring, valid only
   *  during the call, then frees the slot. Returns false when there was no record. */
  tryVisit(visit: (record: Uint8Array) => void): boolean {
    const pos = this.next();
    if (pos < 0) return false;
    const length = this.nextLength;
    try {
      visit(this.bytes.subarray(pos + 4, pos + 4 + length));
    } finally {
      this.release(this.tail + 4 + align4(length));
    }
    return true;
  }

  /** Takes the next record, spinning `spin` times and then sleeping until one arrives.
   *  Null if the ring closed empty or `timeoutMs` passed first. Blocks the calling thread. */
  read(spin = 1000, timeoutMs = Infinity): Uint8Array | null {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const r = this.tryRead();
      if (r) return r;
      if (this.spinForData(spin)) continue;
      if (this.closed && !this.readable()) return null;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      this.sleep(left);
    }
  }

  /** Spins up to `spin` times waiting for HEAD to move; true as soon as something is there. */
  spinForData(spin: number): boolean {
    for (let i = 0; i < spin; i++) if (this.readable()) return true;
    return false;
  }

  /** Sleeps until the producer moves HEAD (or a timeout, or close); the caller re-checks. */
  sleep(timeoutMs = Infinity): void {
    Atomics.store(this.ctl, READER_SLEEPING, 1);
    const h = Atomics.load(this.ctl, HEAD);
    if (h === (this.tail | 0) && !this.closed) Atomics.wait(this.ctl, HEAD, h, timeoutMs);
    Atomics.store(this.ctl, READER_SLEEPING, 0);
  }

  /** Resolves once something is readable or the ring closed, without blocking the thread;
   *  true if it had to park (so the event loop turned meanwhile). */
  async waitReadable(): Promise<boolean> {
    let parked = false;
    while (!this.closed && !this.readable()) {
      Atomics.store(this.ctl, READER_SLEEPING, 1);
      const h = Atomics.load(this.ctl, HEAD);
      if (h !== (this.tail | 0) || this.closed) continue;
      if ((await park(this, HEAD, h, () => this.closed || this.readable())) !== 'not-equal') parked = true;
    }
    Atomics.store(this.ctl, READER_SLEEPING, 0);
    return parked;
  }
}
