// `cell sim --chaos-suite`: the calm run and one run per condition, same seed and swarm, so each
// row differs from the calm one only by its condition. Each row has the Vivaldi error, the
// kernels' replica choice, and the mitosis figures of a load step under that condition.
import { runSimulation, type SimReport } from '../run-sim.ts';
import { runMitosis, type MitosisResult } from '../mitosis/run-mitosis.ts';
import { describeChaos, type ChaosOptions } from './chaos-options.ts';
import type { Progress } from '../../host/cli/progress.ts';

export interface SuiteCondition {
  name: string;
  loss: number;
  chaos?: ChaosOptions;
}

/** The suite's conditions for a run of `durationS` simulated seconds (the partition stands through its middle third). */
export function suiteConditions(durationS: number): SuiteCondition[] {
  const third = Math.round(durationS / 3);
  return [
    { name: 'calm', loss: 0 },
    { name: 'loss', loss: 0.05 },
    { name: 'jitter-spikes', loss: 0, chaos: { jitterSpikes: { probability: 0.02, ms: 500 } } },
    { name: 'partition', loss: 0, chaos: { partition: { atS: third, durationS: third, share: 0.3 } } },
    { name: 'churn', loss: 0, chaos: { churn: { perMinute: 0.02, meanDownS: 60 } } },
    { name: 'slow', loss: 0, chaos: { slow: { share: 0.1, factor: 5 } } },
    { name: 'forgers', loss: 0, chaos: { forgers: 0.1 } },
  ];
}

export interface SuiteOptions {
  kernelWasm: Uint8Array;
  nodes: number;
  duration: number;
  seed: number;
  latency?: 'geo' | 'matrix';
  matrix?: string;
  sample?: boolean;
  /** The mitosis scenario run under each condition; null: none. */
  scenario: string | null;
  conditions?: SuiteCondition[];
  progress?: (name: string) => Progress | undefined;
}

export interface SuiteRow {
  name: string;
  description: string;
  sim: SimReport;
  mitosis: MitosisResult | null;
}

export async function runChaosSuite(o: SuiteOptions): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  for (const c of o.conditions ?? suiteConditions(o.duration)) {
    const common = { kernelWasm: o.kernelWasm, nodes: o.nodes, duration: o.duration, seed: o.seed, latency: o.latency, matrix: o.matrix, sample: o.sample, loss: c.loss, chaos: c.chaos };
    const { report } = await runSimulation({ ...common, progress: o.progress?.(c.name) });
    const mitosis = o.scenario === null ? null : await runMitosis({ ...common, scenario: o.scenario });
    rows.push({ name: c.name, description: describeChaos(c.chaos, c.loss), sim: report, mitosis });
  }
  return rows;
}

/** The suite's figures as text cells: a header row, then one row per condition. */
export function suiteCells(rows: readonly SuiteRow[]): string[][] {
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');
  const cols: Array<[string, (r: SuiteRow) => string]> = [
    ['condition', (r) => r.name],
    ['viv p50', (r) => f3(r.sim.vivaldi.medianRelError)],
    ['viv p90', (r) => f3(r.sim.vivaldi.p90RelError)],
    ['nearest', (r) => pct(r.sim.routing.nearestHitRate)],
    ['stretch p90', (r) => f3(r.sim.routing.p90Stretch)],
    ['to forger', (r) => pct(r.sim.routing.forgedChoiceRate)],
    ['unrouted', (r) => String(r.sim.routing.unrouted)],
    ['mit. target s', (r) => (r.mitosis ? String(r.mitosis.cell.metrics.timeToTargetSeconds ?? 'never') : '-')],
    ['peak repl.', (r) => (r.mitosis ? String(r.mitosis.cell.metrics.peakReplicas) : '-')],
    ['flaps', (r) => (r.mitosis ? String(r.mitosis.cell.metrics.flaps) : '-')],
    ['p99 ms', (r) => (r.mitosis?.cell.metrics.p99LatencyMs != null ? r.mitosis.cell.metrics.p99LatencyMs.toFixed(0) : '-')],
    ['failed req.', (r) => (r.mitosis ? String(r.mitosis.cell.failedRequests) : '-')],
  ];
  return [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))];
}

/** The table `cell sim --chaos-suite` prints: one row per condition, the calm run first. */
export function suiteTable(rows: readonly SuiteRow[]): string {
  const cells = suiteCells(rows);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** The suite in the JSON report: per condition, its options and the figures of the table. */
export function suiteJson(rows: readonly SuiteRow[]) {
  return rows.map((r) => ({
    condition: r.name,
    description: r.description,
    vivaldi: { medianRelError: r.sim.vivaldi.medianRelError, p90RelError: r.sim.vivaldi.p90RelError, p99RelError: r.sim.vivaldi.p99RelError },
    routing: r.sim.routing,
    chaos: r.sim.chaos,
    counters: r.sim.counters,
    mitosis: r.mitosis
      ? { scenario: r.mitosis.scenario, cell: { ...r.mitosis.cell.metrics, failedRequests: r.mitosis.cell.failedRequests, routing: r.mitosis.cell.routing }, hpa: { ...r.mitosis.hpa.metrics, failedRequests: r.mitosis.hpa.failedRequests } }
      : null,
  }));
}
