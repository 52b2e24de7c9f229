// CALLs to this node: run the hosted cell (hal.cell_call) and answer with its REPLY or ERROR,
// or answer a retransmission from the replay cache without running the cell again.
import { halNow, halCellCall } from "../hal/hal";
import {
  HEADER_BYTES, BROADCAST, T_REPLY, T_ERROR, E_UNKNOWN_SPECIES, E_TOO_LARGE, E_OVERLOADED, E_STALE, C_REPLAY_WINDOW_MS,
  S_UNKNOWN_SPECIES, S_CALLS_SERVED, S_CALLS_SHED, S_CALL_ERRORS, S_DUPLICATE_CALLS, S_STALE_CALLS, S_PENDING_DUPLICATES,
  CELL_DEFERRED, R_NOT_PENDING,
} from "../protocol/table";
import { hSpecies, hSeq, hLength } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { cellsSlotOf } from "./cells";
import { replayFind, replayStore, replayType, replayLen, replayPtr, replayPending, replayFill, REPLAY_STALE, PENDING } from "./replay";
import { callersNote } from "./callers";
import { budgetAdmit, budgetCharge } from "./caller-budgets";
import { TX_PAYLOAD, CALL_PAYLOAD_CAP } from "./frame-buffers";
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
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, CALL_PAYLOAD_CAP, E_STALE, "may have run already"));
    return 0;
  }
  const slot = cellsSlotOf(species);
  if (slot < 0) {
    count(S_UNKNOWN_SPECIES);
    // A broadcast call is a question to everyone: only hosts answer, the rest stay silent.
    if (dst == BROADCAST) return 0;
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, CALL_PAYLOAD_CAP, E_UNKNOWN_SPECIES, "unknown species"));
    return 0;
  }
  if (src != selfId && src != 0) callersNote(src);
  if (!budgetAdmit(src, now)) {
    // Not run and not remembered: a retransmission is judged again when it arrives.
    count(S_CALLS_SHED);
    sendTx(T_ERROR, src, species, seq, errorPayload(TX_PAYLOAD, CALL_PAYLOAD_CAP, E_OVERLOADED, "caller over its CPU share"));
    return 0;
  }
  const r = halCellCall(slot, ptr + HEADER_BYTES, <i32>hLength(ptr), TX_PAYLOAD, CALL_PAYLOAD_CAP);
  const done = halNow();
  budgetCharge(src, done - now, done);
  if (r == -CELL_DEFERRED) {
    // The host answers later (k_answer, a gateway asking its board): a retransmission waits for it.
    replayStore(src, seq, species, PENDING, TX_PAYLOAD, 0, now);
    return 0;
  }
  respond(r, src, species, seq, now, -1);
  return 0;
}

/**
 * Answers a call with the cell's result `r` (its payload at TX_PAYLOAD; negative: an ERROR) and
 * remembers the answer: in replay slot `pending` (a deferred call's), or a new one.
 */
function respond(r: i32, src: u32, species: u32, seq: u16, now: f64, pending: i32): void {
  let type = T_REPLY;
  let n = r;
  let shed = false;
  if (r < 0) {
    type = T_ERROR;
    n = -r;
  }
  if (n > CALL_PAYLOAD_CAP) {
    // The host claimed more bytes than the buffer holds: answer with an error rather than overrun.
    type = T_ERROR;
    n = errorPayload(TX_PAYLOAD, CALL_PAYLOAD_CAP, E_TOO_LARGE, "too large");
  } else if (type == T_ERROR) {
    shed = errorCode(TX_PAYLOAD, n) == E_OVERLOADED;
  }
  count(type == T_REPLY ? S_CALLS_SERVED : shed ? S_CALLS_SHED : S_CALL_ERRORS);
  // A shed call never ran: a retransmission may run it, so its answer is not replayed.
  if (pending >= 0) replayFill(pending, shed ? 0 : type, TX_PAYLOAD, n);
  else if (!shed) replayStore(src, seq, species, type, TX_PAYLOAD, n, now);
  sendTx(type, src, species, seq, n);
}

/** A retransmitted CALL: the stored answer again, never a second execution. */
function replayAnswer(slot: i32, src: u32, species: u32, seq: u16): i32 {
  let type = replayType(slot);
  if (type == PENDING) {
    count(S_PENDING_DUPLICATES);
    return 0;
  }
  count(S_DUPLICATE_CALLS);
  let n = replayLen(slot);
  if (n >= 0) {
    memory.copy(TX_PAYLOAD, replayPtr(slot), <usize>n);
  } else {
    type = T_ERROR;
    n = errorPayload(TX_PAYLOAD, CALL_PAYLOAD_CAP, E_TOO_LARGE, "ran once; answer not kept");
  }
  sendTx(type, src, species, seq, n);
  return 0;
}

/** k_answer: the host's late answer to a call it deferred; `len` bytes at `ptr` (negative: an ERROR payload). */
export function answerDeferred(src: u32, species: u32, seq: u16, ptr: usize, len: i32): i32 {
  const i = replayPending(src, seq, species);
  if (i < 0) return -R_NOT_PENDING;
  // The host checks the length (KernelInstance.answer); a lie is not copied, and answered TOO_LARGE.
  const n = len < 0 ? -len : len;
  if (n <= CALL_PAYLOAD_CAP) memory.copy(TX_PAYLOAD, ptr, <usize>n);
  respond(len, src, species, seq, 0, i);
  return 0;
}
