import type { Command } from 'commander';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { kernelPath } from '../build/paths.ts';
import type { SimReport } from '../../simulator/run-sim.ts';
import type { MitosisResult } from '../../simulator/mitosis/run-mitosis.ts';
import type { ChaosOptions } from '../../simulator/chaos/chaos-options.ts';

function num(name: string, text: string, check: (v: number) => boolean, what: string): number {
  const v = Number(text);
  if (!check(v)) throw new Error(`${name} must be ${what}, not "${text}"`);
  return v;
}

const int = (v: number) => Number.isInteger(v);

export function printSummary(r: SimReport): void {
  const v = r.vivaldi;
  const pct = (x: number) => x.toFixed(3);
  console.log(`swarm     ${r.nodes} nodes, ${r.latencyModel}, seed ${r.seed}, ${r.simSeconds} s simulated`);
  console.log(`run       ${r.events.toLocaleString('en')} events in ${r.wallSeconds} s wall, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  console.log(`vivaldi   ${v.dims}-D + height; relative error median ${pct(v.medianRelError)}, p90 ${pct(v.p90RelError)}, p99 ${pct(v.p99RelError)} over ${v.pairs.toLocaleString('en')} pairs`);
  console.log(`converge  median <= 0.2 at ${v.convergenceTo02Seconds ?? 'never'} s; within 10% of final at ${v.convergenceSeconds ?? 'never'} s; centroid drift ${v.centroidDriftMs.toFixed(2)} ms`);
  const g = r.routing;
  console.log(`routing   kernels' own choices: ${g.calls.toLocaleString('en')} calls, nearest replica ${(g.nearestHitRate * 100).toFixed(1)}%; stretch p50 ${pct(g.medianStretch)}, p90 ${pct(g.p90Stretch)}; ${g.unrouted} unrouted`);
  if (g.forgedChoiceRate > 0) console.log(`routing   ${(g.forgedChoiceRate * 100).toFixed(1)}% of routed calls went to a forging node (counted as misses)`);
  if (r.chaos) {
    const c = r.chaos.counters;
    console.log(`chaos     dropped: ${c.droppedPartition} across the partition, ${c.droppedSenderAway} from nodes away; ${c.spiked} frames spiked, ${c.slowed} slowed; ${c.leaves} leaves, ${c.rejoins} rejoins; forged ${c.forgedAnnounces} announces, ${c.forgedPongs} pongs`);
  }
  for (const w of r.warnings) console.log(`warning   ${w}`);
}

/** The chaos flags of `cell sim`, read into options (undefined: a calm run). */
async function chaosFrom(o: Record<string, string | boolean | undefined>): Promise<ChaosOptions | undefined> {
  const p = await import('../../simulator/chaos/chaos-options.ts');
  const c: ChaosOptions = {};
  if (o.jitterSpikes !== undefined) c.jitterSpikes = p.parseJitterSpikes(String(o.jitterSpikes));
  if (o.partition !== undefined) c.partition = p.parsePartition(String(o.partition));
  if (o.churn !== undefined) c.churn = p.parseChurn(String(o.churn));
  if (o.slow !== undefined) c.slow = p.parseSlow(String(o.slow));
  if (o.forgers !== undefined) c.forgers = p.parseForgers(String(o.forgers));
  return p.hasChaos(c) ? c : undefined;
}

export function printMitosis(m: MitosisResult): void {
  const rows: Array<[string, (r: MitosisResult['cell']) => string]> = [
    ['time to target (s)', (r) => String(r.metrics.timeToTargetSeconds ?? 'never')],
    ['peak replicas', (r) => String(r.metrics.peakReplicas)],
    ['replica-seconds', (r) => r.metrics.replicaSeconds.toFixed(0)],
    ['flaps', (r) => String(r.metrics.flaps)],
    ['p99 latency (ms)', (r) => (r.metrics.p99LatencyMs === null ? '-' : r.metrics.p99LatencyMs.toFixed(0))],
    ['SLO violations', (r) => (r.metrics.sloViolationRate === null ? '-' : `${(r.metrics.sloViolationRate * 100).toFixed(1)}%`)],
    ['min_replicas violated (s)', (r) => r.metrics.minReplicasViolatedSeconds.toFixed(0)],
    ['requests answered', (r) => String(r.metrics.requests)],
    ['requests failed', (r) => String(r.failedRequests)],
    ['calls shed (re-sent)', (r) => String(r.kernel.callsShed)],
    ['client-nearest RTT (ms)', (r) => (r.clientNearestRttMs === null ? '-' : r.clientNearestRttMs.toFixed(0))],
    ['calls to nearest replica', (r) => `${(r.routing.nearestHitRate * 100).toFixed(1)}%`],
    ['routing stretch p50 / p90', (r) => `${r.routing.medianStretch.toFixed(2)} / ${r.routing.p90Stretch.toFixed(2)}`],
    ['spore fetches ok / failed', (r) => `${r.spores.fetchesDone} / ${r.spores.failedFetches}`],
    ['spore fetch p50 / p99 (ms)', (r) => (r.spores.fetchMsP50 === null ? '-' : `${r.spores.fetchMsP50.toFixed(0)} / ${r.spores.fetchMsP99!.toFixed(0)}`)],
  ];
  console.log(`mitosis   ${m.scenario}: ${m.species} (min ${m.biology.minReplicas}, max ${m.biology.maxReplicas}, cpu_target ${m.biology.cpuTarget}); ${m.costInstructions} metered instructions per call on ${m.capacity.toLocaleString('en')} instructions/s nodes`);
  console.log(`          ${'metric'.padEnd(27)} ${'cell'.padStart(10)} ${'hpa'.padStart(10)}`);
  for (const [label, f] of rows) console.log(`          ${label.padEnd(27)} ${f(m.cell).padStart(10)} ${f(m.hpa).padStart(10)}`);
}

/** One controller's figures in the JSON report: the metrics, then what the run counted beside them. */
function controllerJson(r: MitosisResult['cell']) {
  return { source: r.source, ...r.metrics, failedRequests: r.failedRequests, callsShed: r.kernel.callsShed, clientNearestRttMs: r.clientNearestRttMs, routing: r.routing, spores: r.spores };
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('simulate a swarm of real firmware kernels over a latency model and report Vivaldi accuracy')
    .option('-n, --nodes <n>', 'number of nodes', '1000')
    .option('-d, --duration <s>', 'simulated seconds', '1800')
    .option('-s, --seed <n>', 'random seed (same seed, same report)', '1')
    .option('-m, --matrix <file>', 'measured RTT matrix (N lines of N RTTs in ms; negative or - = unknown)')
    .option('-l, --latency <model>', 'geo (geographic model) or matrix (default: matrix when --matrix is given, else geo)')
    .option('--sample', 'allow more nodes than the matrix has hosts, drawing hosts with replacement')
    .option('--loss <p>', 'probability that a frame is lost (1: none arrives)', '0')
    .option('--jitter <x>', 'mean extra delay of a sample, relative to its base RTT', '0')
    .option('--sample-every <s>', 'seconds between metric samples (default: duration / 60, at least 10)')
    .option('--scenario <name>', 'also run mitosis against the Kubernetes HPA: load-step, diurnal, flash-crowd or node-failures')
    .option('--max-backlog-ms <ms>', 'with --scenario: a replica sheds a call (ERROR OVERLOADED, re-sent by the caller to another replica) once its queue holds this many ms of work; "off": never', '100')
    .option('--jitter-spikes <p,ms>', 'chaos: a frame is delayed by ms more with probability p')
    .option('--partition <at,duration,share>', 'chaos: from at s for duration s, a share of the nodes is cut off from the rest')
    .option('--churn <rate[,down]>', 'chaos: this share of the nodes leaves per minute, and comes back as a fresh kernel after down s on average (default 60)')
    .option('--slow <share,factor>', 'chaos: a share of the nodes runs factor times slower (timers, and the delay of what they send)')
    .option('--forgers <share>', 'chaos: a share of the nodes announces every species it hears with a negative load and a coordinate near everyone')
    .option('--chaos-suite', 'run calm, then each chaos condition alone, with the same seed, and print a table (defaults: 100 nodes, 600 s, load-step)')
    .option('--json <file>', 'write the JSON report')
    .option('--report <file>', 'write the HTML report')
    .option('-q, --quiet', 'no progress bar')
    .option('--kernel <file>', 'kernel .wasm', kernelPath('host'))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      // The simulator loads only for this command.
      const [{ runSimulation }, { renderReport }, { createProgress }, { SCENARIO_NAMES }] = await Promise.all([
        import('../../simulator/run-sim.ts'), import('../../simulator/report-html.ts'),
        import('./progress.ts'), import('../../simulator/mitosis/scenarios.ts'),
      ]);
      const nodes = num('--nodes', String(o.nodes), (v) => int(v) && v >= 2, 'a whole number >= 2');
      const duration = num('--duration', String(o.duration), (v) => v > 0 && Number.isFinite(v), 'a positive number of seconds');
      const seed = num('--seed', String(o.seed), (v) => int(v) && v >= 0, 'a whole number >= 0');
      const loss = num('--loss', String(o.loss), (v) => v >= 0 && v < 1, 'in [0, 1)');
      const jitter = num('--jitter', String(o.jitter), (v) => v >= 0 && Number.isFinite(v), 'a number >= 0');
      const sampleEvery = o.sampleEvery === undefined ? undefined : num('--sample-every', String(o.sampleEvery), (v) => v > 0, 'a positive number of seconds');
      const latency = o.latency as string | undefined;
      if (latency !== undefined && latency !== 'geo' && latency !== 'matrix') throw new Error(`--latency must be geo or matrix, not "${latency}"`);
      if (latency === 'matrix' && !o.matrix) throw new Error('--latency matrix needs --matrix FILE');
      let kernelWasm: Uint8Array;
      try {
        kernelWasm = new Uint8Array(await readFile(String(o.kernel)));
      } catch {
        throw new Error(`no kernel at ${o.kernel}: run \`npm run build\` first`);
      }
      const scenarioName = o.scenario as string | undefined;
      if (scenarioName !== undefined && !(o.chaosSuite && scenarioName === 'none') && !SCENARIO_NAMES.includes(scenarioName as never)) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}, not "${scenarioName}"`);
      const maxBacklogMs = o.maxBacklogMs === 'off' ? Infinity : num('--max-backlog-ms', String(o.maxBacklogMs), (v) => v >= 0 && Number.isFinite(v), 'a number of ms >= 0, or "off"');
      const chaos = await chaosFrom(o);
      if (o.chaosSuite) {
        await runSuite(o, kernelWasm, seed, scenarioName, latency as 'geo' | 'matrix' | undefined);
        return;
      }
      const progress = createProgress({ total: duration, label: `${nodes} nodes`, unit: 's', quiet: Boolean(o.quiet) });
      const { report, reportData } = await runSimulation({
        kernelWasm, nodes, duration, seed, loss, jitter, sampleEvery, progress, chaos,
        matrix: o.matrix as string | undefined, latency: latency as 'geo' | 'matrix' | undefined, sample: Boolean(o.sample),
      });
      printSummary(report);
      let json: Record<string, unknown> = { ...report };
      if (scenarioName) {
        const { runMitosis } = await import('../../simulator/mitosis/run-mitosis.ts');
        const mp = createProgress({ total: 2 * duration, label: `${scenarioName} (cell, then hpa)`, unit: 's', quiet: Boolean(o.quiet) });
        const m = await runMitosis({
          kernelWasm, nodes, duration, seed, scenario: scenarioName, progress: mp, maxBacklogMs, loss, chaos,
          matrix: o.matrix as string | undefined, latency: latency as 'geo' | 'matrix' | undefined, sample: Boolean(o.sample),
        });
        printMitosis(m);
        json = { ...json, mitosis: { scenario: m.scenario, species: m.species, costInstructions: m.costInstructions, capacity: m.capacity, biology: m.biology, maxBacklogMs: Number.isFinite(maxBacklogMs) ? maxBacklogMs : null, cell: controllerJson(m.cell), hpa: controllerJson(m.hpa) } };
        const finite = (v: number[]) => v.map((x) => (Number.isFinite(x) ? x : 0));
        reportData.mitosis = {
          t: m.cell.series.t,
          replicas: [{ label: 'cell (mitosis)', values: m.cell.series.replicas }, { label: 'HPA', values: m.hpa.series.replicas }],
          cpuShare: [{ label: 'cell (mitosis)', values: m.cell.series.cpuShare }, { label: 'HPA', values: m.hpa.series.cpuShare }],
          cpuTarget: m.biology.cpuTarget,
          p99LatencyMs: [{ label: 'cell (mitosis)', values: finite(m.cell.series.p99LatencyMs) }, { label: 'HPA', values: finite(m.hpa.series.p99LatencyMs) }],
        };
      }
      if (o.json) await writeOut('json', String(o.json), JSON.stringify(json, null, 2) + '\n');
      if (o.report) await writeOut('report', String(o.report), renderReport(reportData));
    });
}

async function writeOut(label: string, path: string, text: string): Promise<void> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  console.log(`${label.padEnd(9)} ${file}`);
}

/** Suite defaults: small and short enough to run seven conditions in a few minutes. */
const SUITE_NODES = 100;
const SUITE_DURATION_S = 600;
const SUITE_SCENARIO = 'load-step';

async function runSuite(
  o: Record<string, string | boolean | undefined>, kernelWasm: Uint8Array, seed: number, scenario: string | undefined, latency: 'geo' | 'matrix' | undefined,
): Promise<void> {
  const [{ runChaosSuite, suiteTable, suiteJson }, { renderSuiteReport }, { createProgress }] = await Promise.all([
    import('../../simulator/chaos/chaos-suite.ts'), import('../../simulator/chaos/suite-report-html.ts'), import('./progress.ts'),
  ]);
  // The suite's own defaults apply unless the flag was given (commander fills in the single-run defaults).
  const given = (flag: string) => process.argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const nodes = given('--nodes') || given('-n') ? Number(o.nodes) : SUITE_NODES;
  const duration = given('--duration') || given('-d') ? Number(o.duration) : SUITE_DURATION_S;
  const rows = await runChaosSuite({
    kernelWasm, nodes, duration, seed, latency, matrix: o.matrix as string | undefined, sample: Boolean(o.sample),
    // --scenario none leaves mitosis out of the suite
    scenario: scenario === 'none' ? null : (scenario ?? SUITE_SCENARIO),
    progress: (name) => createProgress({ total: duration, label: `${name}, ${nodes} nodes`, unit: 's', quiet: Boolean(o.quiet) }),
  });
  console.log(`chaos suite: ${nodes} nodes, ${duration} s, seed ${seed}; mitosis: ${rows[0]?.mitosis ? `${rows[0].mitosis.scenario} (cell controller)` : 'none'}`);
  console.log(suiteTable(rows));
  for (const r of rows) console.log(`  ${r.name.padEnd(14)} ${r.description}`);
  if (o.json) await writeOut('json', String(o.json), JSON.stringify({ nodes, duration, seed, suite: suiteJson(rows) }, null, 2) + '\n');
  if (o.report) await writeOut('report', String(o.report), renderSuiteReport({ nodes, duration, seed }, rows));
}

