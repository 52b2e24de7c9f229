// The kernel's fixed tables as an operator sees them (`cell stats`): rows in use, the cap this
// build holds, and how many rows were given up to make room (or newcomers refused). Every table a
// stranger can grow is here, so a flood shows up as a rising GIVEN_UP, not as silence.
import {
  KT_PEERS, KT_SESSIONS, KT_REPLAY, KT_CALLS, KT_CALLERS, KT_BUDGETS, KT_RTT, KT_CELLS, KT_ACCESS, KT_SERVE, KT_SPORE_REQUESTERS,
  KTF_ROWS, KTF_CAP, KTF_GIVEN_UP, SPORE_SERVE_REQUESTERS, S_PEER_TABLE_FULL, S_SESSIONS_EVICTED, S_CALL_TABLE_FULL,
} from "../protocol/table";
import { statGet } from "./stats";
import { KERNEL_MAX_SESSIONS as MAX_SESSIONS, KERNEL_MAX_ACCESS as MAX_ACCESS, KERNEL_MAX_SERVE as MAX_SERVE } from "./target-tables";
import { peerCount, MAX_PEERS } from "./peers";
import { sessionRows } from "./sessions";
import { replayRows, replayOverwritten, REPLAY_SLOTS } from "./replay";
import { callsLive, MAX_CALLS } from "./calls";
import { callersCount, callersReplaced, MAX_CALLERS } from "./callers";
import { budgetRows, budgetReplaced, MAX_BUDGET_CALLERS } from "./caller-budgets";
import { rttRows, rttReplaced, MAX_RTT_PEERS } from "./call-rtt";
import { cellsCount, MAX_CELLS } from "./cells";
import { accessCount } from "./access";
import { serveCount } from "./serve-trust";
import { sporeRequesterRows, sporeRequestersReplaced } from "./spore-serve";

function rows(t: i32): f64 {
  if (t == KT_PEERS) return peerCount();
  if (t == KT_SESSIONS) return sessionRows();
  if (t == KT_REPLAY) return replayRows();
  if (t == KT_CALLS) return callsLive();
  if (t == KT_CALLERS) return callersCount();
  if (t == KT_BUDGETS) return budgetRows();
  if (t == KT_RTT) return rttRows();
  if (t == KT_CELLS) return cellsCount();
  if (t == KT_ACCESS) return accessCount();
  if (t == KT_SERVE) return serveCount();
  if (t == KT_SPORE_REQUESTERS) return sporeRequesterRows();
  return NaN;
}

function cap(t: i32): f64 {
  if (t == KT_PEERS) return MAX_PEERS;
  if (t == KT_SESSIONS) return MAX_SESSIONS;
  if (t == KT_REPLAY) return REPLAY_SLOTS;
  if (t == KT_CALLS) return MAX_CALLS;
  if (t == KT_CALLERS) return MAX_CALLERS;
  if (t == KT_BUDGETS) return MAX_BUDGET_CALLERS;
  if (t == KT_RTT) return MAX_RTT_PEERS;
  if (t == KT_CELLS) return MAX_CELLS;
  if (t == KT_ACCESS) return MAX_ACCESS;
  if (t == KT_SERVE) return MAX_SERVE;
  if (t == KT_SPORE_REQUESTERS) return SPORE_SERVE_REQUESTERS;
  return NaN;
}

function givenUp(t: i32): f64 {
  if (t == KT_PEERS) return statGet(S_PEER_TABLE_FULL);
  if (t == KT_SESSIONS) return statGet(S_SESSIONS_EVICTED);
  if (t == KT_REPLAY) return replayOverwritten();
  if (t == KT_CALLS) return statGet(S_CALL_TABLE_FULL);
  if (t == KT_CALLERS) return callersReplaced();
  if (t == KT_BUDGETS) return budgetReplaced();
  if (t == KT_RTT) return rttReplaced();
  if (t == KT_SPORE_REQUESTERS) return sporeRequestersReplaced();
  // Cells, access and serve rows are the host's own choice: a full table is an error to the host, not a loss.
  if (t == KT_CELLS || t == KT_ACCESS || t == KT_SERVE) return 0;
  return NaN;
}

/** Field f (KTF_*) of table t (KT_*); NaN for an unknown table or field. */
export function tableField(t: i32, f: i32): f64 {
  if (f == KTF_ROWS) return rows(t);
  if (f == KTF_CAP) return cap(t);
  if (f == KTF_GIVEN_UP) return givenUp(t);
  return NaN;
}
