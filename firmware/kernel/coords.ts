// Peers' coordinates, which the peer table stores for routing and mitosis: read from ANNOUNCEs
// and PONGs into the table, and the RTTs they predict.
import { CborReader } from "../cbor/index";
import { halRandom } from "../hal/hal";
import { peerCoordPtr, peerCoordLen, peerSetCoordLen, COORD_WORDS } from "./peers";
import { vivOnPong, coordRead, vivaldiPredict, vivaldiBetween, VIV_WORDS } from "./vivaldi-node";

// The peer table must hold a whole coordinate.
assert(VIV_WORDS <= COORD_WORDS);

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

/** Predicted RTT between peers i and j; +Infinity when either coordinate is unknown. */
export function predictBetweenPeers(i: i32, j: i32): f64 {
  return peerCoordLen(i) > 0 && peerCoordLen(j) > 0 ? vivaldiBetween(peerCoordPtr(i), peerCoordPtr(j)) : Infinity;
}

/** Predicted RTT to peer i; +Infinity when its coordinate is unknown. */
export function predictToPeer(i: i32): f64 {
  return peerCoordLen(i) > 0 ? vivaldiPredict(peerCoordPtr(i)) : Infinity;
}
