// The kernel's view of coordinates: Vivaldi (vivaldi-node.ts) behind the few calls the frame
// handlers and routing need, with peers' coordinates stored in the peer table.
import { CborWriter, CborReader } from "../cbor/index";
import { halRandom } from "../hal/hal";
import { peerCoordPtr, peerCoordLen, peerSetCoordLen, COORD_WORDS } from "./peers";
import {
  vivInit, offerPeer, nextProbeTarget, vivOnPong, coordWrite, coordRead, gossipPick, vivaldiPredict, vivaldiBetween, vivWord, filteredRtt,
  VIV_DIMS, VIV_WORDS,
} from "./vivaldi-node";

// The peer table must hold a whole coordinate.
assert(VIV_WORDS <= COORD_WORDS);

export function coordsInit(self: u32): void { vivInit(self, halRandom()); }
export function coordsOfferPeer(id: u32): void { offerPeer(id); }
export function coordsNextProbe(r: u32): u32 { return nextProbeTarget(r); }
export function coordsWrite(w: CborWriter): void { coordWrite(w); }
export function coordsGossipPick(r: u32, exclude: u32): u32 { return gossipPick(r, exclude); }
export function coordsWord(i: i32): f64 { return vivWord(i); }
export function coordsDims(): i32 { return VIV_DIMS; }
export function coordsPredictWords(ptr: usize): f64 { return vivaldiPredict(ptr); }

/** Reads a peer's coordinate (from an ANNOUNCE) into the peer table; false if malformed. */
export function coordsReadPeer(r: CborReader, peer: i32): bool {
  const ok = coordRead(r, peerCoordPtr(peer));
  peerSetCoordLen(peer, ok ? VIV_WORDS : 0);
  return ok;
}

/** A PONG's round trip: store the responder's coordinate and feed Vivaldi; false if malformed. */
export function coordsOnPong(src: u32, rttMs: f64, r: CborReader, peer: i32): bool {
  const ok = vivOnPong(src, rttMs, r, peerCoordPtr(peer), halRandom());
  peerSetCoordLen(peer, ok ? VIV_WORDS : 0);
  return ok;
}

/** Latest filtered RTT measured to a node by probes, or -1 if never measured. */
export function coordsMeasured(id: u32): f64 { return filteredRtt(id); }

/** Predicted RTT between peers i and j; +Infinity when either coordinate is unknown. */
export function predictBetweenPeers(i: i32, j: i32): f64 {
  return peerCoordLen(i) > 0 && peerCoordLen(j) > 0 ? vivaldiBetween(peerCoordPtr(i), peerCoordPtr(j)) : Infinity;
}

/** Predicted RTT to peer i; +Infinity when its coordinate is unknown. */
export function predictToPeer(i: i32): f64 {
  return peerCoordLen(i) > 0 ? vivaldiPredict(peerCoordPtr(i)) : Infinity;
}
