// Test entry for the CBOR codec (test/cbor-firmware.test.ts): exposes one reader and one writer
// over two static buffers, plus a generic decode-and-re-encode walker. Not shipped.
import "../../firmware/hal/hal";
import { CborReader, CborWriter, CborError, CBOR_MAX_DEPTH } from "../../firmware/cbor/index";

const CAP: i32 = 16384;
const IN: usize = memory.data(CAP);
const OUT: usize = memory.data(CAP);

const R = new CborReader(IN, 0);
const W = new CborWriter(OUT, CAP);

export function inPtr(): usize { return IN; }
export function outPtr(): usize { return OUT; }
export function bufCap(): i32 { return CAP; }

// Returned by recode() when the output buffer overflowed (not a reader code).
const WRITER_OVERFLOW: i32 = 100;

/**
 * Decodes exactly one item from the first `len` input bytes and re-encodes it into the output
 * buffer. Returns the output length, or -code. `alloc` selects readString/readBytes + text/bytes
 * instead of the zero-allocation raw calls.
 */
export function recode(len: i32, alloc: bool): i32 {
  R.reset(IN, len);
  W.reset(OUT, CAP);
  walk(0, alloc);
  R.expectEnd();
  if (R.error != 0) return -R.error;
  if (W.overflow) return -WRITER_OVERFLOW;
  return W.length;
}

/** skip() over the first `len` input bytes, then expectEnd(): the offset reached, or -code. */
export function skipAll(len: i32): i32 {
  R.reset(IN, len);
  R.skip();
  R.expectEnd();
  return R.error != 0 ? -R.error : R.offset;
}

// `depth` counts enclosing containers; the limit matches skip()'s.
function walk(depth: i32, alloc: bool): void {
  let b = R.peekByte();
  if (b < 0) {
    R.skip(); // sets TRUNCATED at the end of input; no-op after an error
    return;
  }
  switch (b >> 5) {
    case 0: W.uint(R.readUint()); break;
    case 1: W.int(R.readInt()); break;
    case 2: {
      if (alloc) W.bytes(R.readBytes());
      else { let n = R.readBytesRaw(); W.bytesRaw(R.lastPtr, n); }
      break;
    }
    case 3: {
      if (alloc) W.text(R.readString());
      else { let n = R.readTextRaw(); W.textRaw(R.lastPtr, n); }
      break;
    }
    case 4:
    case 5: {
      let map = b >> 5 == 5;
      let n = map ? R.readMapHeader() : R.readArrayHeader();
      if (n < 0) return;
      if (depth == CBOR_MAX_DEPTH) {
        R.fail(CborError.TOO_DEEP);
        return;
      }
      if (map) W.mapHeader(n); else W.arrayHeader(n);
      let items = map ? n << 1 : n;
      for (let i = 0; i < items && R.error == 0; i++) walk(depth + 1, alloc);
      break;
    }
    default: {
      if (b == 0xf4 || b == 0xf5) W.bool(R.readBool());
      else if (b == 0xf6 || b == 0xf7) { R.readNull(); W.nil(); }
      else if (b >= 0xf9 && b <= 0xfb) W.f64(R.readF64());
      else R.skip(); // tags and other simple values: skip() reports why they are rejected
    }
  }
}

// ---- the reader, one call per export ----
export function r_open(len: i32): void { R.reset(IN, len); }
export function r_error(): i32 { return R.error; }
export function r_offset(): i32 { return R.offset; }
export function r_done(): bool { return R.done; }
export function r_peek(): i32 { return R.peekMajor(); }
export function r_peekByte(): i32 { return R.peekByte(); }
export function r_uint(): u64 { return R.readUint(); }
export function r_int(): i64 { return R.readInt(); }
export function r_u32(): u32 { return R.readU32(); }
export function r_i32(): i32 { return R.readI32(); }
export function r_f64(): f64 { return R.readF64(); }
export function r_bool(): bool { return R.readBool(); }
export function r_null(): bool { return R.readNull(); }
export function r_text(): i32 { return R.readTextRaw(); }
export function r_bytes(): i32 { return R.readBytesRaw(); }
export function r_lastPtr(): usize { return R.lastPtr; }
export function r_array(): i32 { return R.readArrayHeader(); }
export function r_map(): i32 { return R.readMapHeader(); }
export function r_skip(): void { R.skip(); }
export function r_expectEnd(): bool { return R.expectEnd(); }

/** readString(), then its UTF-16 code units copied to the output buffer; returns the unit count. */
export function r_string16(): i32 {
  let s = R.readString();
  let n = min(s.length, CAP >> 1);
  memory.copy(OUT, changetype<usize>(s), <usize>n << 1);
  return n;
}

/** readBytes(), then copied to the output buffer; returns the length. */
export function r_bytesCopy(): i32 {
  let a = R.readBytes();
  let n = min(a.length, CAP);
  memory.copy(OUT, a.dataStart, <usize>n);
  return n;
}

// ---- the writer (always over the output buffer) ----
export function w_open(cap: i32): void { W.reset(OUT, min(cap, CAP)); }
export function w_length(): i32 { return W.length; }
export function w_overflow(): bool { return W.overflow; }
export function w_uint(v: u64): void { W.uint(v); }
export function w_int(v: i64): void { W.int(v); }
export function w_f64(v: f64): void { W.f64(v); }
export function w_bool(v: bool): void { W.bool(v); }
export function w_nil(): void { W.nil(); }
export function w_array(n: i32): void { W.arrayHeader(n); }
export function w_map(n: i32): void { W.mapHeader(n); }
export function w_textRaw(ptr: usize, len: i32): void { W.textRaw(ptr, len); }
export function w_bytesRaw(ptr: usize, len: i32): void { W.bytesRaw(ptr, len); }
export function w_raw(ptr: usize, len: i32): void { W.raw(ptr, len); }

/** text() on an AS string built from `units` UTF-16 code units at `ptr` (allocates the string). */
export function w_text16(ptr: usize, units: i32): void {
  W.text(String.UTF16.decodeUnsafe(ptr, <usize>units << 1));
}

/** bytes() on a Uint8Array copied from `len` bytes at `ptr` (allocates the array). */
export function w_bytes(ptr: usize, len: i32): void {
  let a = new Uint8Array(len);
  memory.copy(a.dataStart, ptr, <usize>len);
  W.bytes(a);
}
