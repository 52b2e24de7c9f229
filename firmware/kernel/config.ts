// Kernel settings the host may change with k_config(key, value); the keys (C_*) are in
// docs/protocol.toml. Defaults suit a LAN node.
import {
  C_CALL_TIMEOUT_MS, C_PROBE_INTERVAL_MS, C_ANNOUNCE_INTERVAL_MS, C_PEER_MAX_AGE_MS, C_DEFAULT_ROUTE, C_FAIL_HOLD_MS,
  C_CALL_ATTEMPTS, C_REPLAY_WINDOW_MS, C_PEER_WINDOW, C_BUSY_HOLD_MS, C_CPU_BUDGET, C_RTO_MIN_MS, C_RTO_MAX_MS, C_REKEY_MIN_MS, C_NEW_SESSION_RATE, C_COUNT,
  C_SPORE_WINDOW, C_SPORE_ATTEMPTS, C_SPORE_SERVE_RATE, C_SPORE_RUN,
} from "../protocol/table";
import { KERNEL_SPORE_RUN } from "./target-tables";

const values = new StaticArray<f64>(C_COUNT);
// A call a healthy LAN peer has not answered in 2 s is lost; the caller decides whether to retry.
values[C_CALL_TIMEOUT_MS] = 2000;
// One probe per second per node: the probe budget the accuracy targets are measured at.
values[C_PROBE_INTERVAL_MS] = 1000;
// Pheromones once a second: discovery within a few seconds on a LAN at negligible traffic.
values[C_ANNOUNCE_INTERVAL_MS] = 1000;
// Five missed announcements (or a minute without any frame) and a peer is forgotten.
values[C_PEER_MAX_AGE_MS] = 60000;
// 1: a call with no known replica goes out with dst = 0 (the host's transport picks the link).
values[C_DEFAULT_ROUTE] = 0;
// After a timeout, a peer is skipped by routing for this long, so calls fail over at once.
values[C_FAIL_HOLD_MS] = 5000;
// Three attempts, each timeout twice the last (2 + 4 + 8 s before an RTT is measured): rides out a lost datagram or a dead
// replica (the retry is re-routed) without the caller seeing more than added latency.
values[C_CALL_ATTEMPTS] = 3;
// A retransmission can arrive up to the whole retry span after the original: remember answers that long.
values[C_REPLAY_WINDOW_MS] = 15000;
// At most 8 calls in flight to one node: a fast caller cannot queue unbounded work on a slow node.
values[C_PEER_WINDOW] = 8;
// After a replica sheds one of our calls (ERROR OVERLOADED), routing prefers other replicas for this
// long: about one pheromone interval, by when its announced load tells the truth again.
values[C_BUSY_HOLD_MS] = 1000;
// Hosted cells may use 80% of the time before the heaviest callers are shed: the rest keeps the
// node answering the light ones (caller-budgets.ts).
values[C_CPU_BUDGET] = 0.8;
// A measured call timeout (call-rtt.ts) is at least 250 ms, so a queue or a GC pause on the far side is
// not a loss, and at most 8 s, so a path that has turned slow is still given up on.
values[C_RTO_MIN_MS] = 250;
values[C_RTO_MAX_MS] = 8000;
// open = 0 and accessListedOnly = 0: authenticated peers only, any of them may call (docs/security.md).
// A replayed HELLO can force a re-key, and a restarted peer needs one: once a second at most.
values[C_REKEY_MIN_MS] = 1000;
// Each HELLO from a stranger costs a verify, two X25519 and a signature, and may evict an idle session:
// 32 a second (bursts of 32) lets a LAN of new clients in at once and caps what a flood of fresh keys costs.
values[C_NEW_SESSION_RATE] = 32;
// Eight 1 KiB chunks in flight keep a LAN link busy without flooding a holder's socket buffer.
values[C_SPORE_WINDOW] = 8;
// Three lost requests in a row and a fetch moves on to the next holder.
values[C_SPORE_ATTEMPTS] = 3;
// 4000 chunks (4 MiB) a second at most: serving spores cannot starve the calls.
values[C_SPORE_SERVE_RATE] = 4000;
// One chunk per frame until the host says its links carry more (a serial link or the SHM ring
// carries 2-4 KiB frames, UDP up to 64 KiB): a run too large for the path would be lost whole.
// (A board's kernel always uses 1 and keeps no default: the mcu size budget.)
if (KERNEL_SPORE_RUN > 1) values[C_SPORE_RUN] = 1;

export function cfg(key: i32): f64 { return unchecked(values[key]); }

/** Returns 0, or -1 for an unknown key or a negative / non-finite value. */
export function cfgSet(key: i32, v: f64): i32 {
  if (key < 0 || key >= C_COUNT || !isFinite(v) || v < 0) return -1;
  unchecked(values[key] = v);
  return 0;
}
