// Serving spore chunks (docs/spores.md, Transfer): SPORE_GET [hash, index(, padding)] is answered
// SPORE_DATA [hash, index, chunk, proof] from bytes the host holds (hal.spore_get), or refused
// [hash, index, reason]. A rate cap bounds what a node serves; an unauthenticated request (open
// mode) is answered only if the answer is at most 3x its size, so a spoofed source gains little.
import { halSporeGet } from "../hal/hal";
import {
  HEADER_BYTES, T_SPORE_DATA, R_BAD_PAYLOAD, S_BAD_PAYLOAD, S_SPORE_CHUNKS_SERVED, S_SPORE_REFUSED_NOT_HELD,
  S_SPORE_REFUSED_BUSY, S_SPORE_REFUSED_UNPADDED, C_SPORE_SERVE_RATE, SPORE_HASH_BYTES, SPORE_NOT_HELD, SPORE_BUSY,
  SPORE_UNPADDED,
} from "../protocol/table";
import { hLength, hSeq, hSpecies } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { RX, BUF_CAP, TX_PAYLOAD, PAYLOAD_CAP, writer, reader } from "./frame-buffers";
import { sendTx } from "./frame-out";

const HASH: usize = memory.data(SPORE_HASH_BYTES);
let windowStart: f64 = -Infinity;
let servedInWindow: f64 = 0;

export function onSporeGet(ptr: usize, src: u32, authenticated: bool, now: f64): i32 {
  const frameLen = HEADER_BYTES + <i32>hLength(ptr);
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const hl = reader.readBytesRaw();
  const hp = reader.lastPtr;
  const index = reader.readU32();
  if (reader.error != 0 || n < 2 || n > 3 || hl != SPORE_HASH_BYTES || index > 0x7fffffff) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  memory.copy(HASH, hp, SPORE_HASH_BYTES);
  const species = hSpecies(ptr);
  const seq = hSeq(ptr);
  if (now - windowStart >= 1000) {
    windowStart = now;
    servedInWindow = 0;
  }
  if (servedInWindow >= cfg(C_SPORE_SERVE_RATE)) {
    count(S_SPORE_REFUSED_BUSY);
    return refuse(src, species, seq, <i32>index, SPORE_BUSY);
  }
  // The request is parsed and its hash copied: RX is free for the host to write the chunk and proof.
  const r = halSporeGet(HASH, <i32>index, RX, BUF_CAP);
  const chunkLen = r & 0xffff;
  const proofLen = r >>> 16;
  if (r < 0 || chunkLen == 0 || chunkLen + proofLen > BUF_CAP) {
    count(S_SPORE_REFUSED_NOT_HELD);
    return refuse(src, species, seq, <i32>index, SPORE_NOT_HELD);
  }
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  writer.arrayHeader(4);
  writer.bytesRaw(HASH, SPORE_HASH_BYTES);
  writer.uint(index);
  writer.bytesRaw(RX, chunkLen);
  writer.bytesRaw(RX + <usize>chunkLen, proofLen);
  if (writer.overflow) {
    count(S_SPORE_REFUSED_NOT_HELD);
    return refuse(src, species, seq, <i32>index, SPORE_NOT_HELD);
  }
  if (!authenticated && HEADER_BYTES + writer.length > 3 * frameLen) {
    count(S_SPORE_REFUSED_UNPADDED);
    return refuse(src, species, seq, <i32>index, SPORE_UNPADDED);
  }
  servedInWindow += 1;
  count(S_SPORE_CHUNKS_SERVED);
  sendTx(T_SPORE_DATA, src, species, seq, writer.length);
  return 0;
}

function refuse(src: u32, species: u32, seq: u16, index: i32, reason: i32): i32 {
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  writer.arrayHeader(3);
  writer.bytesRaw(HASH, SPORE_HASH_BYTES);
  writer.uint(<u64>index);
  writer.uint(<u64>reason);
  sendTx(T_SPORE_DATA, src, species, seq, writer.length);
  return 0;
}
