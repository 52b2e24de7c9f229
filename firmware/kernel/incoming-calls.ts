// CALLs to this node: run the hosted cell (hal.cell_call) and answer with its REPLY or ERROR,
// or answer a retransmission from the replay cache without running the cell again.
import { halNow, halCellCall } from "../hal/hal";
import {
  HEADER_BYTES, BROADCAST, T_REPLY, T_ERROR, E_UNKNOWN_SPECIES, E_TOO_LARGE, E_OVERLOADED, E_STALE, C_REPLAY_WINDOW_MS,
  S_UNKNOWN_SPECIES, S_CALLS_SERVED, S_CALLS_SHED, S_CALL_ERRORS, S_DUPLICATE_CALLS, S_STALE_CALLS,
} from "../protocol/table";
import { hSpecies, hSeq, hLength } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { cellsSlotOf } from "./cells";
import { replayFind, replayStore, replayType, replayLen, replayPtr, REPLAY_STALE } from "./replay";
import { callersNote } from "./callers";
import { budgetAdmit, budgetCharge } from "./caller-budgets";
import { TX_PAYLOAD, PAYLOAD_CAP } from "./frame-buffers";
import { errorPayload, errorCode } from "./error-payload";
import { sendTx } from "./frame-out";
import { selfId } from "./self-node";

export function onCall(ptr: usize, src: u32, dst: u32): i32 {
  const species = hSpecies(ptr);
  const seq = hSeq(ptr);
  const now = halNow();
  const seen = replayFind(src, seq, species, now, cfg(C_REPLAY_WINDOW_MS));
  if (seen >= 0) return replayAnswer(seen, src, species, seq);
  if (seen == REPLAY_STALE) {
    count(S_STALE_CALLS);
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_STALE, "stale: older than this node's replay cache; it may have run already"));
    return 0;
  }
  const slot = cellsSlotOf(species);
  if (slot < 0) {
    count(S_UNKNOWN_SPECIES);
    // A broadcast call is a question to everyone: only hosts answer, the rest stay silent.
    if (dst == BROADCAST) return 0;
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_UNKNOWN_SPECIES, "unknown species"));
    return 0;
  }
  if (src != selfId && src != 0) callersNote(src);
  if (!budgetAdmit(src, now)) {
    // Not run and not remembered: a retransmission is judged again when it arrives.
    count(S_CALLS_SHED);
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_OVERLOADED, "overloaded: this caller is over its share of the node's CPU"));
    return 0;
  }
  const r = halCellCall(slot, ptr + HEADER_BYTES, <i32>hLength(ptr), TX_PAYLOAD, PAYLOAD_CAP);
  const done = halNow();
  budgetCharge(src, done - now, done);
  let type = T_REPLY;
  let n = r;
  let shed = false;
  if (r < 0) {
    type = T_ERROR;
    n = -r;
  }
  if (n > PAYLOAD_CAP) {
    // The host claimed more bytes than the buffer holds: answer with an error rather than overrun.
    type = T_ERROR;
    n = errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_TOO_LARGE, "result too large");
  } else if (type == T_ERROR) {
    shed = errorCode(TX_PAYLOAD, n) == E_OVERLOADED;
  }
  count(type == T_REPLY ? S_CALLS_SERVED : shed ? S_CALLS_SHED : S_CALL_ERRORS);
  // A shed call never ran: a retransmission may run it, so its answer is not replayed.
  if (!shed) replayStore(src, seq, species, type, TX_PAYLOAD, n, now);
  sendTx(type, src, species, seq, n);
  return 0;
}

/** A retransmitted CALL: the stored answer again, never a second execution. */
function replayAnswer(slot: i32, src: u32, species: u32, seq: u16): i32 {
  count(S_DUPLICATE_CALLS);
  let type = replayType(slot);
  let n = replayLen(slot);
  if (n >= 0) {
    memory.copy(TX_PAYLOAD, replayPtr(slot), <usize>n);
  } else {
    type = T_ERROR;
    n = errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_TOO_LARGE, "duplicate call: executed once, answer too large to replay");
  }
  sendTx(type, src, species, seq, n);
  return 0;
}
