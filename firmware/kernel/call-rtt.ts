// How long to wait for an answer: per destination, a smoothed RTT and its variation measured
// from this node's own calls (the first attempt of each, so a retransmission's answer never
// skews it), and a timeout of srtt + 4 * rttvar between rtoMinMs and rtoMaxMs, the rule TCP
// uses (RFC 6298). A destination never measured gets callTimeoutMs. Retries double it.
// Fixed memory: MAX_RTT_PEERS rows; the row measured longest ago makes room for a new one.
import { C_CALL_TIMEOUT_MS, C_RTO_MIN_MS, C_RTO_MAX_MS } from "../protocol/table";
import { cfg } from "./config";
import { rowOfId, rowForNewcomer } from "./table-rows";

export const MAX_RTT_PEERS: i32 = 16;

const ids = new StaticArray<u32>(MAX_RTT_PEERS);
const srtt = new StaticArray<f64>(MAX_RTT_PEERS);
const rttvar = new StaticArray<f64>(MAX_RTT_PEERS);
const stamps = new StaticArray<f64>(MAX_RTT_PEERS);
let used: i32 = 0;
let replaced: u32 = 0;

export function rttRows(): i32 { return used; }
/** Rows given to a new destination by forgetting the one measured longest ago. */
export function rttReplaced(): u32 { return replaced; }

/** One answer from `dst`, `ms` after its first attempt was sent. */
export function rttSample(dst: u32, ms: f64, now: f64): void {
  if (!(ms >= 0)) return;
  let r = rowOfId(ids, used, dst);
  if (r < 0) {
    r = rowForNewcomer(stamps, used);
    if (r == used) used++;
    else replaced++;
    unchecked(ids[r] = dst);
    unchecked(srtt[r] = ms);
    unchecked(rttvar[r] = ms / 2);
  } else {
    unchecked(rttvar[r] = 0.75 * rttvar[r] + 0.25 * Math.abs(srtt[r] - ms));
    unchecked(srtt[r] = 0.875 * srtt[r] + 0.125 * ms);
  }
  unchecked(stamps[r] = now);
}

/** The first attempt's timeout for a call to `dst`. */
export function rtoFor(dst: u32): f64 {
  const r = rowOfId(ids, used, dst);
  if (r < 0) return cfg(C_CALL_TIMEOUT_MS);
  const rto = unchecked(srtt[r]) + 4 * unchecked(rttvar[r]);
  return min(max(rto, cfg(C_RTO_MIN_MS)), cfg(C_RTO_MAX_MS));
}
