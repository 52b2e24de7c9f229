// The 20-byte Cell frame header (docs/wire.md), firmware side. Little-endian, read with plain
// loads. Held byte for byte to test/vectors/header.json together with host/wire/header.ts;
// the numbers are the protocol table's (docs/protocol.toml).
import { HEADER_BYTES, MAGIC, VERSION, FLAGS_RESERVED, T_CALL, T_SPAWN, R_SHORT, R_BAD_MAGIC, R_BAD_VERSION, R_BAD_TYPE, R_BAD_FLAGS, R_TRUNCATED, R_TRAILING } from "../protocol/table";

// Bytes 0 and 1 as one little-endian u16: a stray packet is rejected by one compare.
const MAGIC_VERSION: u16 = <u16>MAGIC | (<u16>VERSION << 8);

/** 0 if the `len` bytes at `ptr` are one whole valid frame, else -reason. Reads only inside [ptr, ptr+len). */
export function headerCheck(ptr: usize, len: i32): i32 {
  if (len < HEADER_BYTES) return -R_SHORT;
  if (load<u8>(ptr) != MAGIC) return -R_BAD_MAGIC;
  if (load<u8>(ptr, 1) != VERSION) return -R_BAD_VERSION;
  const t = load<u8>(ptr, 2);
  if (t < T_CALL || t > T_SPAWN) return -R_BAD_TYPE;
  if ((load<u8>(ptr, 3) & FLAGS_RESERVED) != 0) return -R_BAD_FLAGS;
  const total = HEADER_BYTES + <i32>load<u16>(ptr, 18);
  if (len < total) return -R_TRUNCATED;
  if (len > total) return -R_TRAILING;
  return 0;
}

export function headerWrite(ptr: usize, type: u8, flags: u8, src: u32, dst: u32, species: u32, seq: u16, length: u16): void {
  store<u16>(ptr, MAGIC_VERSION);
  store<u8>(ptr, type, 2);
  store<u8>(ptr, flags, 3);
  store<u32>(ptr, src, 4);
  store<u32>(ptr, dst, 8);
  store<u32>(ptr, species, 12);
  store<u16>(ptr, seq, 16);
  store<u16>(ptr, length, 18);
}

@inline export function hType(ptr: usize): u8 { return load<u8>(ptr, 2); }
@inline export function hFlags(ptr: usize): u8 { return load<u8>(ptr, 3); }
@inline export function hSrc(ptr: usize): u32 { return load<u32>(ptr, 4); }
@inline export function hDst(ptr: usize): u32 { return load<u32>(ptr, 8); }
@inline export function hSpecies(ptr: usize): u32 { return load<u32>(ptr, 12); }
@inline export function hSeq(ptr: usize): u16 { return load<u16>(ptr, 16); }
@inline export function hLength(ptr: usize): u16 { return load<u16>(ptr, 18); }
