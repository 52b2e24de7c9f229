// One field of a peer table row, for k_peer (`cell peers`); field numbers in docs/protocol.toml.
import { halNow } from "../hal/hal";
import {
  PEER_NODE_ID, PEER_AGE_MS, PEER_LOAD, PEER_SPARE, PEER_HEALTHY, PEER_PREDICTED_RTT_MS, PEER_MEASURED_RTT_MS, PEER_SPECIES_COUNT,
} from "../protocol/table";
import { peerCount, peerId, peerLastSeen, peerLoad, peerSpare, peerHealthy, peerSpeciesCount } from "./peers";
import { filteredRtt } from "./vivaldi-node";
import { predictToPeer } from "./coords";

/** Field `f` of peer row i; NaN for a bad row or field. */
export function peerField(i: i32, f: i32): f64 {
  if (i < 0 || i >= peerCount()) return NaN;
  if (f == PEER_NODE_ID) return <f64>peerId(i);
  if (f == PEER_AGE_MS) return halNow() - peerLastSeen(i);
  if (f == PEER_LOAD) return peerLoad(i);
  if (f == PEER_SPARE) return peerSpare(i);
  if (f == PEER_HEALTHY) return peerHealthy(i, halNow()) ? 1 : 0;
  if (f == PEER_PREDICTED_RTT_MS) return predictToPeer(i);
  if (f == PEER_MEASURED_RTT_MS) return filteredRtt(peerId(i));
  if (f == PEER_SPECIES_COUNT) return <f64>peerSpeciesCount(i);
  return NaN;
}
