// Routing choice: the nearest healthy replica of a species. A replica's distance is its RTT as
// measured by probes when there is one (the confirmation), else the RTT its coordinate predicts.
import { peerCount, peerHosts, peerHealthy, peerBusy, peerId, peerLoad } from "./peers";
import { predictToPeer } from "./coords";
import { filteredRtt } from "./vivaldi-node";

/** Best-known RTT to peer i: measured if probed, predicted otherwise (+Infinity if neither). */
export function peerRtt(i: i32): f64 {
  const measured = filteredRtt(peerId(i));
  return measured > 0 ? measured : predictToPeer(i);
}

/**
 * Peer index of the replica of `species` to call, or -1 when no healthy peer hosts it: of the two
 * nearest, the less loaded (by its last pheromone), unless it is more than twice as far. Two
 * choices spread load off hot replicas without every caller herding to the same idle one.
 * Replicas that recently shed a call of ours (busy) are passed over while any other is left.
 */
export function routeBest(species: u32, now: f64): i32 {
  const p = routeAmong(species, now, false);
  return p >= 0 ? p : routeAmong(species, now, true);
}

function routeAmong(species: u32, now: f64, includeBusy: bool): i32 {
  let first = -1;
  let second = -1;
  let firstRtt = Infinity;
  let secondRtt = Infinity;
  const n = peerCount();
  for (let i = 0; i < n; i++) {
    if (!peerHosts(i, species) || !peerHealthy(i, now) || (!includeBusy && peerBusy(i, now))) continue;
    // A replica with neither a measurement nor a coordinate is +Infinity: chosen only if nothing better exists.
    const rtt = peerRtt(i);
    if (first < 0 || rtt < firstRtt) {
      second = first;
      secondRtt = firstRtt;
      first = i;
      firstRtt = rtt;
    } else if (second < 0 || rtt < secondRtt) {
      second = i;
      secondRtt = rtt;
    }
  }
  if (second >= 0 && secondRtt <= 2 * firstRtt && peerLoad(second) < peerLoad(first)) return second;
  return first;
}

/** Up to `k` healthy replicas of `species`, nearest first (by peerRtt), written as peer indices to `out`. */
export function routeTop(species: u32, now: f64, k: i32, out: StaticArray<i32>): i32 {
  let found = 0;
  const n = peerCount();
  for (let i = 0; i < n; i++) {
    if (!peerHosts(i, species) || !peerHealthy(i, now)) continue;
    const rtt = peerRtt(i);
    // Insertion into a short sorted list.
    let pos = found < k ? found : k;
    while (pos > 0 && peerRtt(unchecked(out[pos - 1])) > rtt) pos--;
    if (pos >= k) continue;
    for (let j = (found < k ? found : k - 1); j > pos; j--) unchecked(out[j] = out[j - 1]);
    unchecked(out[pos] = i);
    if (found < k) found++;
  }
  return found;
}
