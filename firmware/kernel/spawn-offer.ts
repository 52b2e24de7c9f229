// SPAWN (docs/spores.md, Mitosis on real hosts): a division round picked `target` and the host
// asked it to start a replica. The offer [hash, root, size, manifest, signature] carries what the
// target needs to check the authority before it fetches anything; the answer is [reason]. Offers
// are taken only from verified keys, at most one a second and SPAWN_MAX_PENDING at a time, so a
// stranger cannot make a node fetch without end; the host checks trust and room (hal.deliver,
// then k_spawn_answer) and says when a spawn is over (k_spawn_done).
import { halDeliver } from "../hal/hal";
import {
  BROADCAST, HEADER_BYTES, T_SPAWN, R_BAD_PAYLOAD, R_NOT_AUTHENTICATED, SPORE_HASH_BYTES, SPORE_MAX_BYTES,
  SPAWN_MAX_PENDING, SPAWN_OK, SPAWN_HOSTS_IT, SPAWN_BUSY,
  S_SPAWN_OFFERS_SENT, S_SPAWN_ACCEPTED, S_SPAWN_OFFERS_RX, S_SPAWN_OFFERS_DROPPED,
} from "../protocol/table";
import { hLength, hSeq, hSpecies } from "./header";
import { count } from "./stats";
import { peerFind, peerRemoveSpecies, peerMarkBusy } from "./peers";
import { MITO_COOLDOWN_MS } from "./mitosis-config";
import { cellsSlotOf } from "./cells";
import { reader, writer, TX_PAYLOAD, CALL_PAYLOAD_CAP } from "./frame-buffers";
import { sendTx } from "./frame-out";

const SIGNATURE_BYTES: i32 = 64;
let pending: i32 = 0;
let lastOffer: f64 = -Infinity;
let offerSeq: u16 = 0;

/** Whether the `len` bytes at ptr are a well-formed offer (five fields, sizes in range). */
function offerValid(ptr: usize, len: i32): bool {
  reader.reset(ptr, len);
  const n = reader.readArrayHeader();
  const hl = reader.readBytesRaw();
  const rl = reader.readBytesRaw();
  const size = reader.readUint();
  const ml = reader.readBytesRaw();
  const sl = reader.readBytesRaw();
  return reader.error == 0 && reader.expectEnd() && n == 5 && hl == SPORE_HASH_BYTES && rl == SPORE_HASH_BYTES
    && size >= 1 && size <= <u64>SPORE_MAX_BYTES && ml >= 1 && sl == SIGNATURE_BYTES;
}

/** Sends the offer the host wrote at ptr (len bytes) to `target`; 0, or -1 if it is malformed or too large. */
export function spawnSend(target: u32, species: u32, ptr: usize, len: i32): i32 {
  if (len < 1 || len > CALL_PAYLOAD_CAP || target == 0 || target == BROADCAST || !offerValid(ptr, len)) return -1;
  memory.copy(TX_PAYLOAD, ptr, len);
  offerSeq++;
  count(S_SPAWN_OFFERS_SENT);
  sendTx(T_SPAWN, target, species, offerSeq, len);
  return 0;
}

/** The host's verdict on an offer it was handed: sent back as [reason]; a refusal frees its place. */
export function spawnAnswer(dst: u32, species: u32, seq: u16, reason: i32): void {
  if (reason != SPAWN_OK && pending > 0) pending--;
  answer(dst, species, seq, reason);
}

/** A spawn the host accepted is over (the replica runs, or its fetch or check failed). */
export function spawnDone(): void {
  if (pending > 0) pending--;
}

export function onSpawn(ptr: usize, src: u32, dst: u32, authenticated: bool, now: f64): i32 {
  if (!authenticated || dst == BROADCAST) {
    count(S_SPAWN_OFFERS_DROPPED);
    return authenticated ? -R_BAD_PAYLOAD : -R_NOT_AUTHENTICATED;
  }
  const p = ptr + HEADER_BYTES;
  const len = <i32>hLength(ptr);
  const species = hSpecies(ptr);
  const seq = hSeq(ptr);
  reader.reset(p, len);
  const n = reader.readArrayHeader();
  if (n == 1) {
    const reason = reader.readUint();
    if (reader.error != 0 || !reader.expectEnd()) {
      count(S_SPAWN_OFFERS_DROPPED);
      return -R_BAD_PAYLOAD;
    }
    countAnswer(reason);
    // A refusal: the target does not run the sibling this node counted on it (division.ts), and
    // placement passes it over for a cool-down, so the next round asks the next nearest node
    // rather than the one that said no (an untrusting or full node would stall growth otherwise).
    const i = peerFind(src);
    if (reason != SPAWN_OK && reason != SPAWN_HOSTS_IT && i >= 0) {
      peerRemoveSpecies(i, species);
      peerMarkBusy(i, now + MITO_COOLDOWN_MS);
    }
    return 0;
  }
  if (!offerValid(p, len)) {
    count(S_SPAWN_OFFERS_DROPPED);
    return -R_BAD_PAYLOAD;
  }
  if (cellsSlotOf(species) >= 0) return answer(src, species, seq, SPAWN_HOSTS_IT);
  if (pending >= SPAWN_MAX_PENDING || now - lastOffer < 1000) return answer(src, species, seq, SPAWN_BUSY);
  lastOffer = now;
  pending++;
  count(S_SPAWN_OFFERS_RX);
  halDeliver(T_SPAWN, seq, src, p, len);
  return 0;
}

function answer(dst: u32, species: u32, seq: u16, reason: i32): i32 {
  writer.reset(TX_PAYLOAD, CALL_PAYLOAD_CAP);
  writer.arrayHeader(1);
  writer.uint(<u64>reason);
  sendTx(T_SPAWN, dst, species, seq, writer.length);
  return 0;
}

// The counters spawnAccepted..spawnRefusedBusy follow the reasons SPAWN_OK..SPAWN_BUSY in order
// (docs/protocol.toml; test/protocol.test.ts holds them to it): one addition instead of six branches.
function countAnswer(reason: u64): void {
  count(reason <= <u64>SPAWN_BUSY ? S_SPAWN_ACCEPTED + <i32>reason : S_SPAWN_OFFERS_DROPPED);
}
