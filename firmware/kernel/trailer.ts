// The AUTH trailer (docs/wire.md, Sessions). A unicast frame ends with the sender's counter in
// this session (u64 LE) and the first 16 bytes of HMAC-SHA256(session key, header + payload +
// counter); a broadcast ends with a counter and an ed25519 signature over the same bytes. The
// header's length covers the trailer and the AUTH flag is set, so the tag binds type, src, dst,
// species, seq and length: a frame re-sequenced or re-addressed fails it.
import { halMac, halSign, halVerify } from "../hal/hal";
import { F_AUTH, AUTH_COUNTER_BYTES, AUTH_TAG_BYTES, AUTH_TRAILER_BYTES, AUTH_BROADCAST_TRAILER_BYTES } from "../protocol/table";
import { hFlags, hLength } from "./header";
import { sessionKey, sessionPub } from "./sessions";

const DIGEST: usize = memory.data(32);

function markSealed(ptr: usize, extra: i32): void {
  store<u8>(ptr, hFlags(ptr) | F_AUTH, 3);
  store<u16>(ptr, <u16>(<i32>hLength(ptr) + extra), 18);
}

/** Appends counter and tag to the `len`-byte frame at ptr for session s; returns the new length. */
export function sealMac(ptr: usize, len: i32, s: i32, counter: u64): i32 {
  markSealed(ptr, AUTH_TRAILER_BYTES);
  store<u64>(ptr + <usize>len, counter);
  halMac(sessionKey(s), 32, ptr, len + AUTH_COUNTER_BYTES, DIGEST);
  memory.copy(ptr + <usize>(len + AUTH_COUNTER_BYTES), DIGEST, AUTH_TAG_BYTES);
  return len + AUTH_TRAILER_BYTES;
}

/** Appends counter and this node's signature; returns the new length, or -1 if the HAL has no key. */
export function sealSignature(ptr: usize, len: i32, counter: u64): i32 {
  markSealed(ptr, AUTH_BROADCAST_TRAILER_BYTES);
  store<u64>(ptr + <usize>len, counter);
  if (halSign(ptr, len + AUTH_COUNTER_BYTES, ptr + <usize>(len + AUTH_COUNTER_BYTES)) != 0) return -1;
  return len + AUTH_BROADCAST_TRAILER_BYTES;
}

/** The counter of a sealed `len`-byte frame whose trailer is `trailer` bytes (the caller checked len). */
export function trailerCounter(ptr: usize, len: i32, trailer: i32): u64 {
  return load<u64>(ptr + <usize>(len - trailer));
}

/** Whether the tag of the sealed `len`-byte frame verifies under session s. Compares every byte. */
export function tagValid(ptr: usize, len: i32, s: i32): bool {
  const body = len - AUTH_TAG_BYTES;
  halMac(sessionKey(s), 32, ptr, body, DIGEST);
  let diff: u32 = 0;
  for (let i = 0; i < AUTH_TAG_BYTES; i++) diff |= <u32>(load<u8>(ptr + <usize>(body + i)) ^ load<u8>(DIGEST + <usize>i));
  return diff == 0;
}

/** Whether the broadcast's signature verifies under the key session s holds. */
export function signatureValid(ptr: usize, len: i32, s: i32): bool {
  const body = len - (AUTH_BROADCAST_TRAILER_BYTES - AUTH_COUNTER_BYTES);
  return halVerify(sessionPub(s), ptr, body, ptr + <usize>body) == 1;
}

/** Takes the trailer off: the handlers see the payload alone, as in an open frame. */
export function unseal(ptr: usize, trailer: i32): void {
  store<u8>(ptr, hFlags(ptr) & ~F_AUTH, 3);
  store<u16>(ptr, <u16>(<i32>hLength(ptr) - trailer), 18);
}
