// Frames in: the header check, then one handler per message type.
import { halNow } from "../hal/hal";
import {
  BROADCAST, T_CALL, T_REPLY, T_ERROR, T_PING, T_PONG, T_ANNOUNCE, R_NOT_FOR_ME, R_UNSUPPORTED,
  S_DROP_BAD_HEADER, S_DROP_NOT_FOR_ME, S_FRAMES_RX, S_BAD_PAYLOAD,
} from "../protocol/table";
import { headerCheck, hType, hSrc, hDst } from "./header";
import { count } from "./stats";
import { peerRefresh, peerTouch } from "./peers";
import { selfId, isOtherNode } from "./self-node";
import { onCall } from "./incoming-calls";
import { onAnswer } from "./answers";
import { onPing, onPong } from "./probes";
import { onAnnounce } from "./announcements";

/** Handles the `len`-byte frame at ptr; returns 0 or -reason (counted) when it is dropped. */
export function onFrame(ptr: usize, len: i32): i32 {
  const bad = headerCheck(ptr, len);
  if (bad < 0) {
    count(S_DROP_BAD_HEADER);
    return bad;
  }
  const dst = hDst(ptr);
  if (dst != selfId && dst != 0 && dst != BROADCAST) {
    count(S_DROP_NOT_FOR_ME);
    return -R_NOT_FOR_ME;
  }
  count(S_FRAMES_RX);
  const src = hSrc(ptr);
  const now = halNow();
  const t = hType(ptr);
  if (isOtherNode(src)) {
    // Calls and answers are answered by the header's src: a busy replica's callers (hundreds of
    // clients) must not churn its peer table and push out the replicas its mitosis counts.
    if (t == T_CALL || t == T_REPLY || t == T_ERROR) peerRefresh(src, now);
    else peerTouch(src, now);
  }
  if (t == T_CALL) return onCall(ptr, src, dst);
  if (t == T_REPLY || t == T_ERROR) return onAnswer(ptr, src, t);
  if (t == T_PING) return onPing(ptr, src);
  if (t == T_PONG) return onPong(ptr, src, now);
  if (t == T_ANNOUNCE) return onAnnounce(ptr, src, now);
  count(S_BAD_PAYLOAD);
  return -R_UNSUPPORTED;
}
