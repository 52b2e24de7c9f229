// Fair CPU for the cells this node hosts: each caller's recent cell time, so one caller cannot
// starve the others. While the hosted cells have used more than cpuBudget of the last ~100 ms,
// a call is shed (ERROR OVERLOADED, not run) if its caller is the heaviest or above its fair share
// (the budget over the callers active now); a caller at or under its share is always served.
//
// Fixed memory: MAX_BUDGET_CALLERS rows. A newcomer to a full table takes the lightest row, so
// the heavy callers, the ones that can be shed, are always held; the node's total is kept apart
// and counts evicted callers too. Usage decays continuously with a time constant of TAU_MS.
import { C_CPU_BUDGET } from "../protocol/table";
import { cfg } from "./config";
import { rowOfId, rowForNewcomer } from "./table-rows";

export const MAX_BUDGET_CALLERS: i32 = 16;
/** The window a share is measured over: usage decays by 1/e in this time. */
export const TAU_MS: f64 = 100;
/** The least a served call is charged (ms), so a flood of tiny calls counts too (and in the simulator, whose cells take no virtual time). */
export const CALL_FLOOR_MS: f64 = 0.01;
/** Below this a row's usage is no longer counted as an active caller. */
const IDLE_MS: f64 = 0.001;

const ids = new StaticArray<u32>(MAX_BUDGET_CALLERS);
const usage = new StaticArray<f64>(MAX_BUDGET_CALLERS);
let used: i32 = 0;
let replaced: u32 = 0;
let total: f64 = 0;
let decayedAt: f64 = 0;

function decayTo(now: f64): void {
  if (now <= decayedAt) return;
  const keep = Math.exp(-(now - decayedAt) / TAU_MS);
  for (let i = 0; i < used; i++) unchecked(usage[i] *= keep);
  total *= keep;
  decayedAt = now;
}

/** Whether a call from `id` may run now (see the file comment); false: shed it. */
export function budgetAdmit(id: u32, now: f64): bool {
  const share = cfg(C_CPU_BUDGET);
  if (share <= 0) return true;
  decayTo(now);
  const budget = share * TAU_MS;
  if (total < budget) return true;
  const r = rowOfId(ids, used, id);
  if (r < 0) return true; // not among the heavy: a newcomer or a light caller
  const mine = unchecked(usage[r]);
  let heaviest: f64 = 0;
  let active = 0;
  for (let i = 0; i < used; i++) {
    const u = unchecked(usage[i]);
    if (u > heaviest) heaviest = u;
    if (u > IDLE_MS) active++;
  }
  return !(mine >= heaviest || mine > budget / <f64>max(active, 1));
}

/** Charges `ms` of cell time (at least CALL_FLOOR_MS) to caller `id`. */
export function budgetCharge(id: u32, ms: f64, now: f64): void {
  decayTo(now);
  const cost = max(ms, CALL_FLOOR_MS);
  total += cost;
  let r = rowOfId(ids, used, id);
  if (r < 0) {
    r = rowForNewcomer(usage, used);
    if (r == used) used++;
    else replaced++;
    unchecked(ids[r] = id);
    unchecked(usage[r] = 0);
  }
  unchecked(usage[r] += cost);
}

export function budgetRows(): i32 { return used; }
/** Rows given to a newcomer by taking the lightest caller's place. */
export function budgetReplaced(): u32 { return replaced; }
