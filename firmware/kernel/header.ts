// The 20-byte Cell frame header (docs/wire.md), firmware side. Little-endian, read with plain
// loads. Held byte for byte to test/vectors/header.json together with host/wire/header.ts.

export const HEADER_BYTES: i32 = 20;
export const MAGIC_VERSION: u16 = 0x01ce; // byte 0 = 0xCE magic, byte 1 = version 1

export const T_CALL: u8 = 1;
export const T_REPLY: u8 = 2;
export const T_ERROR: u8 = 3;
export const T_PING: u8 = 4;
export const T_PONG: u8 = 5;
export const T_ANNOUNCE: u8 = 6;
export const T_SPORE_GET: u8 = 7;
export const T_SPORE_DATA: u8 = 8;

export const F_ACK_REQ: u8 = 0x01;
export const F_FRAGMENT: u8 = 0x02;
export const F_SIGNED: u8 = 0x04;
export const F_MORE: u8 = 0x08;
const F_RESERVED: u8 = 0xf0;

export const BROADCAST: u32 = 0xffffffff;

// Rejection reasons, as in docs/wire.md; returned negated.
export const R_SHORT: i32 = 1;
export const R_BAD_MAGIC: i32 = 2;
export const R_BAD_VERSION: i32 = 3;
export const R_BAD_TYPE: i32 = 4;
export const R_BAD_FLAGS: i32 = 5;
export const R_TRUNCATED: i32 = 6;
export const R_TRAILING: i32 = 7;
export const R_TOO_LARGE: i32 = 8;

/** 0 if the `len` bytes at `ptr` are one whole valid frame, else -reason. Reads only inside [ptr, ptr+len). */
export function headerCheck(ptr: usize, len: i32): i32 {
  if (len < HEADER_BYTES) return -R_SHORT;
  if (load<u8>(ptr) != 0xce) return -R_BAD_MAGIC;
  if (load<u8>(ptr, 1) != 0x01) return -R_BAD_VERSION;
  const t = load<u8>(ptr, 2);
  if (t < T_CALL || t > T_SPORE_DATA) return -R_BAD_TYPE;
  if ((load<u8>(ptr, 3) & F_RESERVED) != 0) return -R_BAD_FLAGS;
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
