// Deterministic CBOR encoder (RFC 8949 subset, see docs/cbor.md) into a caller-owned region of
// linear memory. It never allocates and never traps: a write that does not fit sets `overflow`
// and every later write is a no-op, so a caller checks once at the end instead of after each call.

export class CborWriter {
  private base: usize = 0;
  private cap: i32 = 0;
  private pos: i32 = 0;
  private ovf: bool = false;

  /** Writes into raw linear memory [ptr, ptr + cap). */
  constructor(ptr: usize, cap: i32) {
    this.reset(ptr, cap);
  }

  reset(ptr: usize, cap: i32): void {
    this.base = ptr;
    this.cap = cap < 0 ? 0 : cap;
    this.pos = 0;
    this.ovf = false;
  }

  /** Bytes written so far (complete items only: an item that did not fit wrote nothing). */
  get length(): i32 {
    return this.pos;
  }

  get capacity(): i32 {
    return this.cap;
  }

  /** True once a write did not fit (or was given a negative length); the output is then unusable. */
  get overflow(): bool {
    return this.ovf;
  }

  uint(v: u64): void {
    this.head(0, v, 0);
  }

  int(v: i64): void {
    // Major 1 carries -1 - v, which is ~v for negative v and cannot overflow.
    if (v < 0) this.head(1, ~v, 0);
    else this.head(0, <u64>v, 0);
  }

  /** Always float64 (0xfb): cbor-x writes non-integer JS numbers the same way, byte for byte. */
  f64(v: f64): void {
    this.put(0xfb, reinterpret<u64>(v), 8, 0);
  }

  bool(v: bool): void {
    this.put(v ? 0xf5 : 0xf4, 0, 0, 0);
  }

  nil(): void {
    this.put(0xf6, 0, 0, 0);
  }

  /** UTF-8 text, encoded straight into the output; unpaired surrogates become U+FFFD so the
   *  output is always well-formed (the reader rejects anything else). */
  text(s: string): void {
    let n = String.UTF8.byteLength(s, false);
    if (!this.head(3, <u64>n, n)) return;
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.base + <usize>this.pos, false, String.UTF8.ErrorMode.REPLACE);
    this.pos += n;
  }

  /** Text whose `len` bytes at `ptr` are already UTF-8 (not re-validated). */
  textRaw(ptr: usize, len: i32): void {
    this.copyItem(3, ptr, len);
  }

  bytes(data: Uint8Array): void {
    this.copyItem(2, data.dataStart, data.length);
  }

  bytesRaw(ptr: usize, len: i32): void {
    this.copyItem(2, ptr, len);
  }

  arrayHeader(n: i32): void {
    if (n < 0) this.ovf = true;
    else this.head(4, <u64>n, 0);
  }

  /** Follow with n key/value pairs; keys are written in the order given (no sorting). */
  mapHeader(n: i32): void {
    if (n < 0) this.ovf = true;
    else this.head(5, <u64>n, 0);
  }

  /** Splices `len` bytes that are already one or more encoded items (e.g. a forwarded payload). */
  raw(ptr: usize, len: i32): void {
    if (len < 0 || !this.fits(<u64>len)) {
      this.ovf = true;
      return;
    }
    memory.copy(this.base + <usize>this.pos, ptr, <usize>len);
    this.pos += len;
  }

  private copyItem(major: u32, ptr: usize, len: i32): void {
    if (len < 0) {
      this.ovf = true;
      return;
    }
    if (!this.head(major, <u64>len, len)) return;
    memory.copy(this.base + <usize>this.pos, ptr, <usize>len);
    this.pos += len;
  }

  private fits(n: u64): bool {
    return !this.ovf && n <= <u64>(this.cap - this.pos);
  }

  /** Shortest-form head for `major` with argument `v`, written only if `payload` more bytes fit too. */
  private head(major: u32, v: u64, payload: i32): bool {
    let size = v < 24 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x100000000 ? 4 : 8;
    let ib = major << 5 | (size == 0 ? <u32>v : 24 + <u32>ctz(size));
    return this.put(ib, v, size, payload);
  }

  /** Initial byte, then `size` argument bytes big-endian, written byte by byte (alignment-safe). */
  private put(ib: u32, v: u64, size: i32, payload: i32): bool {
    if (!this.fits(<u64>(1 + size) + <u64>payload)) {
      this.ovf = true;
      return false;
    }
    let p = this.base + <usize>this.pos;
    store<u8>(p, ib);
    for (let i = size; i > 0; i--) {
      store<u8>(p + <usize>i, <u8>v);
      v >>= 8;
    }
    this.pos += 1 + size;
    return true;
  }
}
