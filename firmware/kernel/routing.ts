// Routing choice: the nearest healthy replica of a species, by predicted RTT from coordinates.
import { peerCount, peerHosts, peerHealthy } from "./peers";
import { predictToPeer } from "./coords";

/** Peer index of the best replica of `species`, or -1 when no healthy peer hosts it. */
export function routeBest(species: u32, now: f64): i32 {
  let best = -1;
  let bestRtt = Infinity;
  const n = peerCount();
  for (let i = 0; i < n; i++) {
    if (!peerHosts(i, species) || !peerHealthy(i, now)) continue;
    // A replica whose coordinate is unknown predicts +Infinity: chosen only if nothing better exists.
    const rtt = predictToPeer(i);
    if (best < 0 || rtt < bestRtt) {
      best = i;
      bestRtt = rtt;
    }
  }
  return best;
}
