// The kernel's one entry to Vivaldi: coordinate, neighbour set, latency filter and wire format
// behind a few calls. Probe payloads (docs/vivaldi.md): PING = [t_sent_ms]; PONG = [t_sent_ms
// echoed, coordinate, gossip peer id]; the requester measures RTT = now - t_sent.
//
//   vivInit(self, seed)                               at k_init; seed = HAL random bits
//   offerPeer(id): bool                               any peer id heard of (bootstrap, ANNOUNCE, PING, gossip)
//   nextProbeTarget(r): u32                           whom to PING now, 0 = nobody; r = HAL random
//   vivOnPong(src, rttMs, r, out, seed): bool         r positioned at the PONG's coordinate; decodes it
//                                                     into VIV_WORDS f64s at `out` (e.g. the peer table),
//                                                     filters the RTT and updates; false = bad coordinate
//   coordWrite(w) / coordRead(r, out): bool           this node's / a peer's coordinate (coord-wire.ts)
//   gossipPick(r, exclude): u32                       a peer id to put in a PONG
//   vivaldiPredict(ptr): f64                          predicted RTT to a stored coordinate (Infinity if invalid)
//   vivaldiBetween(p, q): f64                         predicted RTT between two stored coordinates
//   vivWord(i): f64                                   i < VIV_DIMS: coordinate; VIV_DIMS: height; +1: error
//   vivaldiStat(id): u32                              counters (vivaldi-stats.ts)
// Piggybacking: any request/answer pair whose answer carries the responder's coordinate can feed
// vivOnPong with its measured round trip exactly like a PONG.
import { CborReader } from "../cbor/index";
import { VIV_DIMS, tuneMinSamples } from "./vivaldi-config";
import { vivaldiReset, vivaldiUpdate, ownCoord, ownHeight, ownError } from "./vivaldi";
import { nbInit, recordSample, filteredRtt } from "./neighbours";
import { coordRead } from "./coord-wire";
import { vivCount } from "./vivaldi-stats";
import { VS_HELD } from "../protocol/table";

export { offerPeer, nextProbeTarget, gossipPick, forgetPeer, filteredRtt } from "./neighbours";
export { coordWrite, coordRead } from "./coord-wire";
export { vivaldiPredict, vivaldiBetween } from "./vivaldi";
export { vivaldiStat } from "./vivaldi-stats";
export { VIV_DIMS, VIV_WORDS } from "./vivaldi-config";

export function vivInit(self: u32, seed: u32): void {
  vivaldiReset();
  nbInit(self, seed);
}

export function vivOnPong(src: u32, rttMs: f64, r: CborReader, out: usize, seed: u32): bool {
  if (!coordRead(r, out)) return false;
  const n = recordSample(src, rttMs);
  if (n == 0) return true; // bad RTT or no room: counted by recordSample; the payload itself was fine
  if (n < tuneMinSamples) {
    vivCount(VS_HELD);
    return true;
  }
  vivaldiUpdate(filteredRtt(src), out, seed);
  return true;
}

export function vivWord(i: i32): f64 {
  if (i >= 0 && i < VIV_DIMS) return ownCoord(i);
  if (i == VIV_DIMS) return ownHeight();
  if (i == VIV_DIMS + 1) return ownError();
  return NaN;
}
