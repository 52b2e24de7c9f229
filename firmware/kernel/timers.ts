// The kernel's clock work, run by k_tick: call deadlines, probes, the division round and
// announcements, each on its own interval.
import { halRandom } from "../hal/hal";
import { C_PROBE_INTERVAL_MS, C_ANNOUNCE_INTERVAL_MS, C_PEER_MAX_AGE_MS } from "../protocol/table";
import { cfg } from "./config";
import { cellsCount } from "./cells";
import { callNextDeadline } from "./calls";
import { peerAgeOut } from "./peers";
import { divisionRound, callerToProbe } from "./division";
import { MITO_PERIOD_MS } from "./mitosis-config";
import { expireCalls } from "./outgoing-calls";
import { sendProbe, pingPeer } from "./probes";
import { sendAnnounce } from "./announcements";
import { selfId } from "./self-node";
import { fetchTimers, fetchNextDeadline } from "./spore-fetch";

let nextProbe: f64 = 0;
let nextAnnounce: f64 = 0;
let nextDivision: f64 = 0;

/** Spreads the first probe and announcement over one interval, so a swarm started at once does not pulse. */
export function timersStart(now: f64): void {
  nextProbe = now + <f64>(halRandom() % 1000) * cfg(C_PROBE_INTERVAL_MS) / 1000.0;
  nextAnnounce = now + <f64>(halRandom() % 1000) * cfg(C_ANNOUNCE_INTERVAL_MS) / 1000.0;
}

/** Announce on the next tick (a new replica) rather than up to an interval later. */
export function announceNow(): void {
  nextAnnounce = 0;
}

export function timersRun(now: f64): void {
  expireCalls(now);
  fetchTimers(now);
  const probeEvery = cfg(C_PROBE_INTERVAL_MS);
  if (probeEvery > 0 && now >= nextProbe) {
    sendProbe(now);
    nextProbe = now + probeEvery;
  }
  if (now >= nextDivision) {
    // A retirement is announced at once, so two replicas do not both leave for the last place above min.
    if (divisionRound(now, selfId)) nextAnnounce = now;
    nextDivision = now + MITO_PERIOD_MS;
    const caller = callerToProbe();
    if (caller != 0) pingPeer(caller, now);
  }
  const announceEvery = cfg(C_ANNOUNCE_INTERVAL_MS);
  if (announceEvery > 0 && now >= nextAnnounce) {
    sendAnnounce();
    // +-10% jitter keeps announcements of nodes started together from staying in phase.
    nextAnnounce = now + announceEvery * (0.9 + <f64>(halRandom() % 1000) / 5000.0);
    peerAgeOut(now, cfg(C_PEER_MAX_AGE_MS));
  }
}

/** The earliest time a timer or a call deadline needs a tick (Infinity if none). */
export function nextWake(): f64 {
  let next = min(callNextDeadline(), fetchNextDeadline());
  if (cfg(C_PROBE_INTERVAL_MS) > 0 && nextProbe < next) next = nextProbe;
  if (cfg(C_ANNOUNCE_INTERVAL_MS) > 0 && nextAnnounce < next) next = nextAnnounce;
  if (cellsCount() > 0 && nextDivision < next) next = nextDivision;
  return next;
}
