// Pheromones (docs/vivaldi.md): ANNOUNCE = [[species...], load, spare, coordinate], broadcast
// every announce interval; a received one replaces what the peer table knew of its sender.
import { HEADER_BYTES, BROADCAST, T_ANNOUNCE, R_BAD_PAYLOAD, S_ANNOUNCES_RX, S_BAD_PAYLOAD, S_BAD_LOAD, S_UNTRUSTED_SERVERS } from "../protocol/table";
import { hLength } from "./header";
import { count } from "./stats";
import { MAX_CELLS, cellsCount, cellsSpeciesAt } from "./cells";
import { peerTouch, peerClearSpecies, peerAddSpecies, peerSetLoad } from "./peers";
import { offerPeer, coordWrite } from "./vivaldi-node";
import { coordsReadPeer } from "./coords";
import { TX_PAYLOAD, PAYLOAD_CAP, writer, reader } from "./frame-buffers";
import { sendTx } from "./frame-out";
import { selfLoad, selfSpare } from "./self-node";
import { frameSession } from "./frame-auth";
import { sessionPub } from "./sessions";
import { serveAllows } from "./serve-trust";

/** A load or spare share as a pheromone may carry it: finite, 0..1. A negative load would win every routing tie. */
function isShare(x: f64): bool { return isFinite(x) && x >= 0 && x <= 1; }

export function onAnnounce(ptr: usize, src: u32, now: f64): i32 {
  count(S_ANNOUNCES_RX);
  // Checked before anything changes: a bad announcement leaves the peer's row as it was.
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  if (reader.readArrayHeader() == 4) {
    const n = reader.readArrayHeader();
    for (let i = 0; i < n && reader.error == 0; i++) reader.readU32();
    const l0 = reader.readF64();
    const s0 = reader.readF64();
    if (reader.error == 0 && !(isShare(l0) && isShare(s0))) {
      count(S_BAD_LOAD);
      return -R_BAD_PAYLOAD;
    }
  }
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const p = peerTouch(src, now);
  if (reader.readArrayHeader() != 4) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const ns = reader.readArrayHeader();
  peerClearSpecies(p);
  // The sender's verified key (its session's), or none for an unauthenticated frame (open mode).
  const pub: usize = frameSession >= 0 ? sessionPub(frameSession) : 0;
  for (let i = 0; i < ns && reader.error == 0; i++) {
    const sp = reader.readU32();
    if (serveAllows(pub, sp)) peerAddSpecies(p, sp);
    else if (reader.error == 0) count(S_UNTRUSTED_SERVERS);
  }
  const l = reader.readF64();
  const s = reader.readF64();
  const ok = coordsReadPeer(reader, p);
  if (reader.error != 0 || !ok) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  peerSetLoad(p, l, s);
  offerPeer(src);
  return 0;
}

export function sendAnnounce(): void {
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  writer.arrayHeader(4);
  writer.arrayHeader(cellsCount());
  for (let i = 0; i < MAX_CELLS; i++) {
    const s = cellsSpeciesAt(i);
    if (s != 0) writer.uint(<u64>s);
  }
  writer.f64(selfLoad);
  writer.f64(selfSpare);
  coordWrite(writer);
  sendTx(T_ANNOUNCE, BROADCAST, 0, 0, writer.length);
}
