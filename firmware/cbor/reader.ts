// CBOR decoder (RFC 8949 subset, see docs/cbor.md) over a caller-owned region of linear memory.
// Every read is bounds-checked against the region, so no input can trap it or make it allocate
// more than the item's own (already present) bytes. The first error sticks: later reads return
// zero values, so generated dispatch code can read a whole argument list and check `error` once.
import { validUtf8 } from "./utf8";
import { CborError, CBOR_MAX_DEPTH } from "../protocol/table";

// The reader's error codes (stable: docs/cbor.md) and its nesting limit (for skip() and walkers
// that honour it) are in docs/protocol.toml; the SDK and the tests import them from here too.
export { CborError, CBOR_MAX_DEPTH };

// skip() keeps each open container's remaining-item count here instead of recursing, so hostile
// nesting costs neither wasm3 stack nor heap. Shared by all readers: skip() is not re-entrant.
const skipStack: usize = memory.data(CBOR_MAX_DEPTH << 2);

const TWO_POW_64: f64 = 18446744073709551616.0;

export class CborReader {
  private base: usize = 0;
  private len: i32 = 0;
  private pos: i32 = 0;
  private err: i32 = 0;
  private last: usize = 0;
  // The head decoded by head(): major type, additional info and argument (length, value or float bits).
  private hMajor: u32 = 0;
  private hInfo: u32 = 0;
  private hArg: u64 = 0;
  // The integer decoded by integer(): value = hNeg ? -1 - hArg : hArg.
  private hNeg: bool = false;

  /** Reads [ptr, ptr + len); a negative len reads as empty. */
  constructor(ptr: usize, len: i32) {
    this.reset(ptr, len);
  }

  reset(ptr: usize, len: i32): void {
    this.base = ptr;
    this.len = len < 0 ? 0 : len;
    this.pos = 0;
    this.err = 0;
    this.last = 0;
  }

  /** 0, or the first CborError met. */
  get error(): i32 {
    return this.err;
  }

  /** Bytes consumed; after an error, the offset of the item that could not be read. */
  get offset(): i32 {
    return this.pos;
  }

  /** No error and every byte consumed. */
  get done(): bool {
    return this.err == 0 && this.pos == this.len;
  }

  /** Address of the bytes found by the last readTextRaw/readBytesRaw. */
  get lastPtr(): usize {
    return this.last;
  }

  /** Records `code` as the error unless one is already set (for callers' own checks, e.g. arity). */
  fail(code: i32): void {
    if (this.err == 0) this.err = code;
  }

  /** Sets TRAILING if bytes remain after the last item read; true when the input was consumed exactly. */
  expectEnd(): bool {
    if (this.err == 0 && this.pos != this.len) this.err = CborError.TRAILING;
    return this.err == 0;
  }

  /** Major type 0..7 of the next item, or -1 at the end or after an error. */
  peekMajor(): i32 {
    let b = this.peekByte();
    return b < 0 ? -1 : b >> 5;
  }

  /** Initial byte of the next item (tells floats, bools and null apart), or -1 at the end or after an error. */
  peekByte(): i32 {
    if (this.err != 0 || this.pos >= this.len) return -1;
    return <i32>load<u8>(this.base + <usize>this.pos);
  }

  readUint(): u64 {
    let at = this.pos;
    if (!this.integer()) return 0;
    if (this.hNeg) {
      this.bad(CborError.OVERFLOW, at);
      return 0;
    }
    return this.hArg;
  }

  /** Major 0 or 1 (or an integral float) within i64. */
  readInt(): i64 {
    let at = this.pos;
    if (!this.integer()) return 0;
    if (this.hArg > <u64>i64.MAX_VALUE) {
      this.bad(CborError.OVERFLOW, at);
      return 0;
    }
    return this.hNeg ? ~(<i64>this.hArg) : <i64>this.hArg;
  }

  readU32(): u32 {
    let at = this.pos;
    let v = this.readUint();
    if (v > <u64>u32.MAX_VALUE) {
      this.bad(CborError.OVERFLOW, at);
      return 0;
    }
    return <u32>v;
  }

  readI32(): i32 {
    let at = this.pos;
    let v = this.readInt();
    if (v < <i64>i32.MIN_VALUE || v > <i64>i32.MAX_VALUE) {
      this.bad(CborError.OVERFLOW, at);
      return 0;
    }
    return <i32>v;
  }

  /** Any float width, and integers too: cbor-x encodes an integer-valued JS number (5.0) as 5. */
  readF64(): f64 {
    let at = this.pos;
    if (!this.head()) return 0;
    let m = this.hMajor;
    if (m == 0) return <f64>this.hArg;
    if (m == 1) return -1.0 - <f64>this.hArg;
    if (m == 7 && this.hInfo >= 25) return this.floatValue();
    this.bad(CborError.WRONG_TYPE, at);
    return 0;
  }

  readBool(): bool {
    let at = this.pos;
    if (!this.head()) return false;
    if (this.hMajor == 7 && (this.hInfo == 20 || this.hInfo == 21)) return this.hInfo == 21;
    this.bad(CborError.WRONG_TYPE, at);
    return false;
  }

  /** Consumes a null (or undefined) and returns true; otherwise consumes nothing and sets no error. */
  readNull(): bool {
    let b = this.peekByte();
    if (b != 0xf6 && b != 0xf7) return false;
    this.pos++;
    return true;
  }

  /** Allocates a string (for cells); "" after an error. */
  readString(): string {
    let n = this.readTextRaw();
    if (this.err != 0) return "";
    return String.UTF8.decodeUnsafe(this.last, <usize>n, false);
  }

  /** Zero-allocation text read: returns the UTF-8 byte length and sets lastPtr; 0 after an error. */
  readTextRaw(): i32 {
    return this.payload(3);
  }

  /** Allocates a copy of a byte string; empty after an error. */
  readBytes(): Uint8Array {
    let n = this.readBytesRaw();
    let out = new Uint8Array(n);
    memory.copy(out.dataStart, this.last, <usize>n);
    return out;
  }

  /** Zero-allocation byte-string read: returns the length and sets lastPtr; 0 after an error. */
  readBytesRaw(): i32 {
    return this.payload(2);
  }

  /** Element count, or -1 on error (indefinite lengths are rejected with INDEFINITE). */
  readArrayHeader(): i32 {
    return this.container(4);
  }

  /** Pair count, or -1 on error. */
  readMapHeader(): i32 {
    return this.container(5);
  }

  /** Skips one complete item of any supported type, nested at most CBOR_MAX_DEPTH deep. */
  skip(): void {
    let depth = 0; // open containers with items still to skip
    let todo = 1; // items left at the current depth
    while (true) {
      while (todo == 0) {
        if (depth == 0) return;
        depth--;
        todo = load<i32>(skipStack + (<usize>depth << 2));
      }
      todo--;
      let at = this.pos;
      if (!this.head()) return;
      let m = this.hMajor;
      if (m == 2 || m == 3) {
        this.body(at);
        if (this.err != 0) return;
      } else if (m == 4 || m == 5) {
        let n = this.count(at);
        if (n < 0) return;
        if (depth == CBOR_MAX_DEPTH) {
          this.bad(CborError.TOO_DEEP, at);
          return;
        }
        store<i32>(skipStack + (<usize>depth << 2), todo);
        depth++;
        todo = m == 5 ? n << 1 : n;
      }
      // Majors 0, 1 and 7 are complete once their head is read.
    }
  }

  // ---- internals ----

  /** Records `code` (first error sticks), rewinds to `at`, and returns the zero value. */
  private bad(code: i32, at: i32): void {
    if (this.err == 0) this.err = code;
    this.pos = at;
  }

  /** Bytes left after the current position. */
  private left(): u64 {
    return <u64>(this.len - this.pos);
  }

  /**
   * Decodes the head at `pos` (initial byte and argument) into hMajor/hInfo/hArg and moves past it.
   * Rejects here everything outside the subset, so the typed reads only check the major type.
   */
  private head(): bool {
    if (this.err != 0) return false;
    let at = this.pos;
    if (at >= this.len) {
      this.bad(CborError.TRUNCATED, at);
      return false;
    }
    let p = this.base + <usize>at;
    let ib = <u32>load<u8>(p);
    let major = ib >> 5;
    let info = ib & 31;
    let arg = <u64>info;
    let size = 0;
    if (info >= 24) {
      if (info > 27) {
        // 31 is indefinite length on majors 2..5 and "break" on 7; on 0, 1 and 6 it is malformed, as are 28..30.
        let indefinite = info == 31 && ((major >= 2 && major <= 5) || major == 7);
        this.bad(indefinite ? CborError.INDEFINITE : CborError.RESERVED, at);
        return false;
      }
      size = 1 << (info - 24);
      if (<u64>size >= this.left()) {
        this.bad(CborError.TRUNCATED, at);
        return false;
      }
      arg = 0;
      for (let i = 1; i <= size; i++) arg = arg << 8 | <u64>load<u8>(p + <usize>i);
    }
    if (major == 6) {
      this.bad(CborError.UNSUPPORTED, at);
      return false;
    }
    if (major == 7 && (info < 20 || info == 24)) {
      // Simple values: only false/true/null/undefined (20..23) and the floats (25..27) are in the subset.
      this.bad(info == 24 && arg < 32 ? CborError.RESERVED : CborError.UNSUPPORTED, at);
      return false;
    }
    this.hMajor = major;
    this.hInfo = info;
    this.hArg = arg;
    this.pos = at + 1 + size;
    return true;
  }

  /** The float in the current head (info 25, 26 or 27: half, single, double). */
  private floatValue(): f64 {
    let bits = this.hArg;
    if (this.hInfo == 27) return reinterpret<f64>(bits);
    if (this.hInfo == 26) return <f64>reinterpret<f32>(<u32>bits);
    return halfToF64(<u32>bits);
  }

  /** An integer item, or a float holding an exact integer in (-2^64 - 1, 2^64), into hNeg/hArg. */
  private integer(): bool {
    let at = this.pos;
    if (!this.head()) return false;
    let m = this.hMajor;
    if (m <= 1) {
      this.hNeg = m == 1;
      return true;
    }
    // cbor-x writes integer-valued JS numbers of 2^32 and more as float64, so accept exact ones.
    if (m == 7 && this.hInfo >= 25) {
      let f = this.floatValue();
      if (f != Math.trunc(f) || f - f != 0) {
        this.bad(CborError.WRONG_TYPE, at); // fractional, infinite or NaN
        return false;
      }
      let neg = f < 0;
      let mag = neg ? -f : f;
      if (mag >= TWO_POW_64) {
        this.bad(CborError.OVERFLOW, at);
        return false;
      }
      this.hNeg = neg;
      this.hArg = neg ? <u64>mag - 1 : <u64>mag; // mag >= 1 when neg, so no wrap
      return true;
    }
    this.bad(CborError.WRONG_TYPE, at);
    return false;
  }

  /** A byte (2) or text (3) string: its length, with lastPtr at its first byte; 0 on error. */
  private payload(major: u32): i32 {
    let at = this.pos;
    if (!this.head()) return 0;
    if (this.hMajor != major) {
      this.bad(CborError.WRONG_TYPE, at);
      return 0;
    }
    return this.body(at);
  }

  /** After a string head read at `at`: checks and steps over its bytes; returns the length, 0 on error. */
  private body(at: i32): i32 {
    // Compared as u64 before any narrowing: a declared 2^32-byte string is TRUNCATED, never allocated.
    if (this.hArg > this.left()) {
      this.bad(CborError.TRUNCATED, at);
      return 0;
    }
    let n = <i32>this.hArg;
    let p = this.base + <usize>this.pos;
    if (this.hMajor == 3 && !validUtf8(p, n)) {
      this.bad(CborError.BAD_UTF8, at);
      return 0;
    }
    this.last = p;
    this.pos += n;
    return n;
  }

  /** An array (4) or map (5) head: its element or pair count, or -1 on error. */
  private container(major: u32): i32 {
    let at = this.pos;
    if (!this.head()) return -1;
    if (this.hMajor != major) {
      this.bad(CborError.WRONG_TYPE, at);
      return -1;
    }
    return this.count(at);
  }

  /** After an array or map head read at `at`: the count, or -1 if it cannot be complete. */
  private count(at: i32): i32 {
    // Every item takes at least one byte, so a count beyond the bytes left cannot be complete.
    let n = this.hArg;
    if (n > this.left() || (this.hMajor == 5 && n << 1 > this.left())) {
      this.bad(CborError.TRUNCATED, at);
      return -1;
    }
    return <i32>n;
  }
}

/** IEEE 754 binary16 to f64 (exact: every half is a double). */
function halfToF64(h: u32): f64 {
  let sign = <u64>(h >> 15) << 63;
  let exp = (h >> 10) & 0x1f;
  let mant = <u64>(h & 0x3ff);
  if (exp == 0) {
    let v = <f64>mant * 5.960464477539063e-8; // subnormal: mant * 2^-24
    return sign ? -v : v;
  }
  if (exp == 31) return reinterpret<f64>(sign | 0x7ff0000000000000 | mant << 42); // inf / NaN
  return reinterpret<f64>(sign | <u64>(exp + 1008) << 52 | mant << 42); // rebias 15 -> 1023
}
