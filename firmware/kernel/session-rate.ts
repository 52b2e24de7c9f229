// How fast strangers may open sessions: a token bucket of newSessionRate HELLOs a second, holding
// as many. A HELLO from a node with no session costs this node a verify, two X25519 and a signature,
// and the new session may evict an idle one; a flood of fresh keys is held to the rate, and the
// peers that already have sessions are not touched by it (their HELLOs re-key under rekeyMinMs).
import { C_NEW_SESSION_RATE } from "../protocol/table";
import { cfg } from "./config";
import { bucketReset, bucketTake } from "./token-bucket";

const bucket = new StaticArray<f64>(2);
bucketReset(bucket, 0);

/** Takes a token for a stranger's HELLO at `now`; false: drop it. */
export function newSessionAdmit(now: f64): bool {
  const rate = cfg(C_NEW_SESSION_RATE);
  return rate <= 0 || bucketTake(bucket, 0, rate, now);
}
