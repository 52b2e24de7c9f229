// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): rewrites bytes so that 0x00
// never occurs, so 0x00 can delimit frames on a byte stream (the serial transport).
// Each block is a code byte n (1..255) followed by n-1 non-zero bytes; a block with n < 255 stands
// for its bytes plus one 0x00, except the last block, whose zero is the implied end of the data.
// The encoder does not add an empty 0x01 block after a final full (0xFF) block; the decoder
// accepts that block either way, so it reads both common encoder variants.

export type CobsError =
  /** No bytes at all: even empty data encodes to one code byte. */
  | 'EMPTY'
  /** A 0x00 inside encoded data: it was the delimiter, so the data is torn or not COBS. */
  | 'ZERO_BYTE'
  /** A code byte promises more bytes than remain (typically a torn frame). */
  | 'OVERRUN'
  /** The decoded bytes do not fit the output buffer the caller gave. */
  | 'OUT_OF_SPACE';

export type CobsResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: CobsError; at: number };

/** Largest encoding of `n` bytes: one code byte per started 254-byte block. */
export function cobsMaxEncodedLength(n: number): number {
  return n + 1 + Math.floor(n / 254);
}

/** Encodes `src`; the result has no 0x00 and no delimiter (the caller appends one). */
export function cobsEncode(src: Uint8Array, out: Uint8Array = new Uint8Array(cobsMaxEncodedLength(src.length))): Uint8Array {
  if (out.length < cobsMaxEncodedLength(src.length)) throw new RangeError(`COBS output buffer of ${out.length} bytes is too small for ${src.length} bytes`);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    if (++code === 0xff) {
      out[codeAt] = code;
      code = 1;
      // A full block ends without an implied zero; open the next block only if data remains.
      if (i + 1 < src.length) codeAt = o++;
      else codeAt = -1;
    }
  }
  if (codeAt >= 0) out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes `src` (without its delimiter). Never throws: bad input is a reason and an offset. */
export function cobsDecode(src: Uint8Array, out: Uint8Array = new Uint8Array(src.length)): CobsResult {
  if (src.length === 0) return { ok: false, reason: 'EMPTY', at: 0 };
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const code = src[i]!;
    if (code === 0) return { ok: false, reason: 'ZERO_BYTE', at: i };
    const end = i + code;
    if (end > src.length) return { ok: false, reason: 'OVERRUN', at: i };
    const block = src.subarray(i + 1, end);
    const zero = block.indexOf(0);
    if (zero >= 0) return { ok: false, reason: 'ZERO_BYTE', at: i + 1 + zero };
    if (o + block.length > out.length) return { ok: false, reason: 'OUT_OF_SPACE', at: i };
    out.set(block, o);
    o += block.length;
    i = end;
    if (code !== 0xff && i < src.length) {
      if (o >= out.length) return { ok: false, reason: 'OUT_OF_SPACE', at: i };
      out[o++] = 0;
    }
  }
  return { ok: true, bytes: out.subarray(0, o) };
}
