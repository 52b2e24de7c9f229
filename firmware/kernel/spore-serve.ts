// Serving spore chunks (docs/spores.md, Transfer): SPORE_GET [hash, index(, count)(, padding)] is
// answered SPORE_DATA [hash, index, chunks, proof] from bytes the host holds (hal.spore_get): a run
// of up to `count` chunks, fewer if this node's sporeRun, frame or tokens allow fewer; or refused
// [hash, index, reason]. Token buckets bound what a node serves: sporeServeRate chunks a second
// in all, and to each requester an equal share of it among those that asked in the last second,
// so one greedy fetch cannot starve the others, and a lone one gets the whole rate. An
// unauthenticated request (open mode) is answered only if the answer is at most 3x its size, so a
// spoofed source gains little.
import { halSporeGet } from "../hal/hal";
import {
  HEADER_BYTES, T_SPORE_DATA, R_BAD_PAYLOAD, S_BAD_PAYLOAD, S_SPORE_CHUNKS_SERVED, S_SPORE_REFUSED_NOT_HELD,
  S_SPORE_REFUSED_BUSY, S_SPORE_REFUSED_UNPADDED, S_SPORE_REFUSED_SHARE, C_SPORE_SERVE_RATE, SPORE_HASH_BYTES,
  SPORE_NOT_HELD, SPORE_BUSY, SPORE_UNPADDED, SPORE_SERVE_REQUESTERS, C_SPORE_RUN, SPORE_CHUNK_BYTES,
} from "../protocol/table";
import { hLength, hSeq, hSpecies } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { RX, BUF_CAP, TX_PAYLOAD, PAYLOAD_CAP, writer, reader } from "./frame-buffers";
import { sendTx } from "./frame-out";
import { bucketReset, bucketTake, bucketRefund, bucketTakeUpTo } from "./token-bucket";
import { KERNEL_SPORE_RUN } from "./target-tables";

const HASH: usize = memory.data(SPORE_HASH_BYTES);
const R = SPORE_SERVE_REQUESTERS;
const nodeBucket = new StaticArray<f64>(2);
bucketReset(nodeBucket, 0);
// Recent requesters and their buckets; a newcomer takes a free row or the one unused longest.
const requester = new StaticArray<u32>(R); // 0: free
const lastAsked = new StaticArray<f64>(R);
const buckets = new StaticArray<f64>(2 * R);
for (let i = 0; i < R; i++) bucketReset(buckets, i);
let requestersReplaced: f64 = 0;
let admittedRow: i32 = -1;
let admittedShare: f64 = 0;
const ACTIVE_MS: f64 = 1000;

export function sporeRequesterRows(): i32 {
  let n = 0;
  for (let i = 0; i < R; i++) if (unchecked(requester[i]) != 0) n++;
  return n;
}
export function sporeRequestersReplaced(): f64 { return requestersReplaced; }

function requesterRow(src: u32, now: f64): i32 {
  let oldest = 0;
  for (let i = 0; i < R; i++) {
    const id = unchecked(requester[i]);
    if (id == src) {
      unchecked(lastAsked[i] = now);
      return i;
    }
    if (id == 0 || (unchecked(requester[oldest]) != 0 && unchecked(lastAsked[i]) < unchecked(lastAsked[oldest]))) oldest = i;
  }
  if (unchecked(requester[oldest]) != 0) requestersReplaced += 1;
  unchecked(requester[oldest] = src);
  unchecked(lastAsked[oldest] = now);
  // A newcomer starts full; cycling identities through the table is still held to the node bucket.
  bucketReset(buckets, oldest);
  return oldest;
}

/** Requesters that asked within the last second (the one asking now among them). */
function activeRequesters(now: f64): i32 {
  let n = 0;
  for (let i = 0; i < R; i++) if (unchecked(requester[i]) != 0 && now - unchecked(lastAsked[i]) < ACTIVE_MS) n++;
  return max(n, 1);
}

/** Takes a token from the requester's bucket (its share of the rate) and the node's; 0, or the stat of the refusal. */
function admit(src: u32, now: f64): i32 {
  const rate = cfg(C_SPORE_SERVE_RATE);
  const row = requesterRow(src, now);
  admittedShare = rate / <f64>activeRequesters(now);
  if (!bucketTake(nodeBucket, 0, rate, now)) return S_SPORE_REFUSED_BUSY;
  if (!bucketTake(buckets, row, admittedShare, now)) {
    bucketRefund(nodeBucket, 0, rate);
    return S_SPORE_REFUSED_SHARE;
  }
  admittedRow = row;
  return 0;
}

/**
 * Chunks of a run of `want` (a power of two) that the admitted request may have: the tokens both
 * buckets hold beyond the one admit() took, rounded down to a power of two; they are taken.
 */
function admitMore(want: i32, now: f64): i32 {
  if (want <= 1) return 1;
  const rate = cfg(C_SPORE_SERVE_RATE);
  const fromNode = 1 + bucketTakeUpTo(nodeBucket, 0, rate, now, want - 1);
  const fromShare = 1 + bucketTakeUpTo(buckets, admittedRow, admittedShare, now, fromNode - 1);
  const c = 1 << (31 - clz(fromShare));
  bucketRefund(nodeBucket, 0, rate, <f64>(fromNode - c));
  bucketRefund(buckets, admittedRow, admittedShare, <f64>(fromShare - c));
  return c;
}

/** Gives back the `c` tokens of the request just admitted: it was refused after all (not held, unpadded). */
function giveBack(c: f64): void {
  const rate = cfg(C_SPORE_SERVE_RATE);
  bucketRefund(nodeBucket, 0, rate, c);
  bucketRefund(buckets, admittedRow, admittedShare, c);
}

export function onSporeGet(ptr: usize, src: u32, authenticated: bool, now: f64): i32 {
  const frameLen = HEADER_BYTES + <i32>hLength(ptr);
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const hl = reader.readBytesRaw();
  const hp = reader.lastPtr;
  const index = reader.readU32();
  // A count is an unsigned integer third item; padding is a byte string. A board serves runs of
  // one chunk whatever the count, so its build does not read it (the mcu size budget).
  const want = KERNEL_SPORE_RUN > 1 && n >= 3 && reader.peekMajor() == 0 ? reader.readU32() : 1;
  if (reader.error != 0 || n < 2 || n > 4 || hl != SPORE_HASH_BYTES || index > 0x7fffffff ||
      KERNEL_SPORE_RUN > 1 && (want == 0 || want > 0x7fffffff || (want & (want - 1)) != 0 || (index & (want - 1)) != 0)) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  memory.copy(HASH, hp, SPORE_HASH_BYTES);
  const species = hSpecies(ptr);
  const seq = hSeq(ptr);
  const refused = admit(src, now);
  if (refused != 0) {
    count(refused);
    return refuse(src, species, seq, <i32>index, SPORE_BUSY);
  }
  // A run no larger than asked, this node's sporeRun, its frame, and its tokens.
  let c = 1;
  if (KERNEL_SPORE_RUN > 1) {
    const mine = <i32>min(max(cfg(C_SPORE_RUN), 1), <f64>KERNEL_SPORE_RUN);
    c = admitMore(min(<i32>want, 1 << (31 - clz(mine))), now);
  }
  // The request is parsed and its hash copied: RX is free for the host to write the chunks and proof.
  const r = halSporeGet(HASH, <i32>index, c, RX, BUF_CAP);
  const chunkLen = r & 0xffff;
  const proofLen = r >>> 16;
  if (r < 0 || chunkLen == 0 || (KERNEL_SPORE_RUN > 1 && chunkLen > c * SPORE_CHUNK_BYTES) || chunkLen + proofLen > BUF_CAP) {
    count(S_SPORE_REFUSED_NOT_HELD);
    giveBack(<f64>c);
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
    giveBack(<f64>c);
    return refuse(src, species, seq, <i32>index, SPORE_NOT_HELD);
  }
  if (!authenticated && HEADER_BYTES + writer.length > 3 * frameLen) {
    count(S_SPORE_REFUSED_UNPADDED);
    giveBack(<f64>c);
    return refuse(src, species, seq, <i32>index, SPORE_UNPADDED);
  }
  if (KERNEL_SPORE_RUN == 1) count(S_SPORE_CHUNKS_SERVED);
  else for (let j = 0; j < chunkLen; j += SPORE_CHUNK_BYTES) count(S_SPORE_CHUNKS_SERVED);
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
