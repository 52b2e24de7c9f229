// The README's measured figures, rendered from docs/measured.json (written by bench/figures.ts from
// one run of the bench, the simulator and the build). The README holds what this renders between
// its markers, and test/readme-figures.test.ts fails when the two differ, so a figure in the README
// is always one a command produced.

/** When and on what a section was measured: sections can be re-measured one at a time. */
export interface Stamp {
  commit: string;
  date: string;
  loadAvg1m: number;
}

export interface SimFigures {
  measuredAt?: Stamp;
  command: string;
  nodes: number;
  simSeconds: number;
  wallSeconds: number;
  peakRssBytes: number;
  events: number;
  medianRelError: number;
  p90RelError: number;
  p99RelError: number;
  /** Routing as the kernels did it: share of routed calls that went to a truly nearest replica, and the stretch. */
  routing: { source: string; nearestHitRate: number; medianStretch: number; p90Stretch: number } | null;
}

export interface MitosisRow {
  timeToTargetSeconds: number | null;
  peakReplicas: number;
  maxReplicas: number;
  replicaSeconds: number;
  flaps: number;
  p99LatencyMs: number | null;
  sloViolationRate: number | null;
  minReplicasViolatedSeconds: number;
  failedRequests: number;
  clientNearestRttMs: number | null;
}

export interface MitosisFigures {
  measuredAt?: Stamp;
  command: string;
  scenario: string;
  cell: MitosisRow;
  hpa: MitosisRow;
}

export interface Measured {
  /** When and on what the run was made: figures from a loaded 2-core machine are upper bounds. */
  run: { date: string; commit: string; cpus: number; loadAvg1m: number };
  sizes: { measuredAt?: Stamp; command: string; kernelMcu: number; kernelHost: number; kernelBudget: number; cells: Record<string, number> };
  bench?: { measuredAt?: Stamp; command: string; figures: BenchFigures };
  sims?: { planetlab?: SimFigures; geo1000?: SimFigures; geo100k?: SimFigures };
  mitosis?: MitosisFigures[];
  /** The load-step scenario over seeds 1..N, against the issue's targets. */
  loadStepSeeds?: Array<MitosisFigures & { seed: number }>;
}

/** The subset of `npm run bench -- --json` the README shows. */
export interface BenchFigures {
  cli?: {
    helpMs: number; callP50Ms: number; runToListeningMs: number;
    baseline: { nodeMs: number };
  };
  udp?: { rttP50Us: number; rttP99Us: number; msgsPerSec: number; baseline: { rttP50Us: number; msgsPerSec: number } };
  rpc?: { usPerCall: number; baseline: { usPerCall: number } };
  shm?: { rttP50Ns: number; msgsPerSec: number; baseline: { rttP50Ns: number; msgsPerSec: number } };
  serial?: { runs: Array<{ baud: number; bytesPerSec: number; lineRateBytesPerSec: number; framingEfficiency: number; ceilingBytesPerSec: number }> };
  cells?: Array<{ call: string; instructions: number; baseline: { call: string; instructions: number } }>;
}

export const MEASURED_BEGIN = '<!-- measured:begin (written by `npm run figures`; edit bench/measured-table.ts, not this table) -->';
export const MEASURED_END = '<!-- measured:end -->';
export const MITOSIS_BEGIN = '<!-- mitosis:begin (written by `npm run figures`) -->';
export const MITOSIS_END = '<!-- mitosis:end -->';
export const SEEDS_BEGIN = '<!-- loadstep-seeds:begin (written by `npm run figures`) -->';
export const SEEDS_END = '<!-- loadstep-seeds:end -->';

const int = (v: number) => Math.round(v).toLocaleString('en');
const fix = (v: number, d: number) => v.toFixed(d);
const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const mib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.round(b / 2 ** 20)} MiB`);
const code = (c: string) => `\`${c}\``;

function simRow(what: string, s: SimFigures): string {
  const routing = s.routing
    ? `; ${s.routing.source}: nearest replica ${(s.routing.nearestHitRate * 100).toFixed(0)}%, stretch p90 ${fix(s.routing.p90Stretch, 2)}`
    : '';
  const figure = `Vivaldi median relative error ${fix(s.medianRelError, 3)}, p90 ${fix(s.p90RelError, 3)}, p99 ${fix(s.p99RelError, 2)}${routing}; ` +
    `${int(s.events)} events in ${fix(s.wallSeconds, 1)} s wall, peak RSS ${mib(s.peakRssBytes)}`;
  return `| ${what} | ${figure} | ${code(s.command)} |`;
}

/** The Measured table: every row a figure and the command that produced it. */
export function renderMeasured(m: Measured): string {
  const rows: string[] = ['| what | figure | command |', '|---|---|---|'];
  const z = m.sizes;
  rows.push(`| kernel \`.wasm\` (mcu: a board's tables, uses the bottom MCU_KERNEL_BYTES of its page) | ${int(z.kernelMcu)} bytes (budget ${int(z.kernelBudget)}); host build ${int(z.kernelHost)} bytes | ${code(z.command)} |`);
  const cells = Object.entries(z.cells).map(([name, b]) => `${name} ${int(b)} B`).join(', ');
  rows.push(`| cells (metered; each uses the memory its cell.toml declares, below one page) | ${cells} | ${code(z.command)} |`);
  const b = m.bench?.figures;
  const bc = m.bench ? code(m.bench.command) : '';
  if (b?.cli) {
    const c = b.cli;
    rows.push(`| CLI start-up (compiled JavaScript) | \`cell --help\` ${int(c.helpMs)} ms; \`cell call\` to a loopback node, start to answer, p50 ${int(c.callP50Ms)} ms; \`cell run\` start to "listening" ${int(c.runToListeningMs)} ms; \`node -e 0\` ${int(c.baseline.nodeMs)} ms | ${bc} |`);
  }
  if (m.sims?.planetlab) rows.push(simRow(`PlanetLab ${m.sims.planetlab.nodes} nodes, ${m.sims.planetlab.simSeconds} s`, m.sims.planetlab));
  if (m.sims?.geo1000) rows.push(simRow(`geo ${int(m.sims.geo1000.nodes)} nodes, ${m.sims.geo1000.simSeconds} s (\`npm start\`)`, m.sims.geo1000));
  if (m.sims?.geo100k) rows.push(simRow(`geo ${int(m.sims.geo100k.nodes)} nodes, ${m.sims.geo100k.simSeconds} s`, m.sims.geo100k));
  if (b?.udp) {
    const u = b.udp;
    rows.push(`| UDP RPC (authenticated: MAC trailer both ways) vs raw dgram echo, 64-byte payload | RTT p50 ${fix(u.rttP50Us, 1)} us vs ${fix(u.baseline.rttP50Us, 1)} us (${x(u.rttP50Us, u.baseline.rttP50Us)} of raw), p99 ${fix(u.rttP99Us, 1)} us; ${int(u.msgsPerSec)} vs ${int(u.baseline.msgsPerSec)} msg/s (${x(u.msgsPerSec, u.baseline.msgsPerSec)} of raw) | ${bc} |`);
  }
  if (b?.rpc) {
    const r = b.rpc;
    rows.push(`| RPC stack CPU without sockets (client kernel, server kernel, echo cell, back) | ${fix(r.usPerCall, 2)} us per call vs ${fix(r.baseline.usPerCall, 2)} us for the echo cell alone (${x(r.usPerCall, r.baseline.usPerCall)}) | ${bc} |`);
  }
  if (b?.shm) {
    const s = b.shm;
    rows.push(`| SHM ring vs MessagePort, 64-byte payload | RTT p50 ${int(s.rttP50Ns)} ns vs ${int(s.baseline.rttP50Ns)} ns (${x(s.baseline.rttP50Ns, s.rttP50Ns)} better); ${int(s.msgsPerSec)} vs ${int(s.baseline.msgsPerSec)} msg/s with 32 in flight | ${bc} |`);
  }
  if (b?.cells) {
    const parts = b.cells.map((c) => `${c.call} ${int(c.instructions)} (vs ${c.baseline.call} ${int(c.baseline.instructions)})`);
    rows.push(`| metered instructions per call (what mitosis counts as CPU) | ${parts.join('; ')} | ${bc} |`);
  }
  if (b?.serial) {
    const parts = b.serial.runs.map((r) => `${r.baud} baud: ${x(r.bytesPerSec, r.lineRateBytesPerSec)} the line rate on the wire (framing included), payload ${(r.framingEfficiency * 100).toFixed(1)}% of wire bytes, unpaced pty ${fix(r.ceilingBytesPerSec / 1e6, 1)} MB/s`);
    rows.push(`| serial, COBS + CRC, 64-byte payloads, pty line paced at the line rate by \`pv -L\` | ${parts.join('; ')} | ${bc} |`);
  }
  // Which sections were measured in which run: a partial `npm run figures -- --only ...` leaves the rest as they were.
  const sections: Array<[string, { measuredAt?: Stamp } | undefined]> = [
    ['sizes', z], ['bench', m.bench], ['PlanetLab', m.sims?.planetlab], ['geo 1,000', m.sims?.geo1000], ['geo 100,000', m.sims?.geo100k],
  ];
  const groups = new Map<string, string[]>();
  for (const [label, section] of sections) {
    if (!section) continue;
    const key = stampText(section.measuredAt ?? m.run);
    groups.set(key, [...(groups.get(key) ?? []), label]);
  }
  const tail = '(`npm run figures` reruns every command below and rewrites this table; wall times on a shared machine are upper bounds).';
  const head = groups.size === 1
    ? `Measured in one run at ${[...groups.keys()][0]}, ${m.run.cpus} cores ${tail}`
    : `Measured on ${m.run.cpus} cores in ${groups.size} runs: ${[...groups].map(([k, labels]) => `${labels.join(', ')} at ${k}`).join('; ')} ${tail}`;
  return [head, '', ...rows].join('\n');
}

function mitosisCells(r: MitosisRow): string[] {
  const opt = (v: number | null, f: (n: number) => string) => (v === null ? '-' : f(v));
  return [
    opt(r.timeToTargetSeconds, (v) => `${int(v)} s`),
    r.peakReplicas >= r.maxReplicas ? `${r.peakReplicas} (max ${r.maxReplicas})` : String(r.peakReplicas),
    int(r.replicaSeconds), String(r.flaps), opt(r.p99LatencyMs, int), opt(r.sloViolationRate, (v) => `${(v * 100).toFixed(1)}%`),
    `${int(r.minReplicasViolatedSeconds)} s`, int(r.failedRequests), opt(r.clientNearestRttMs, (v) => `${int(v)} ms`),
  ];
}

const shortCommit = (c: string) => c.replace(/^([0-9a-f]{10})[0-9a-f]+/, '$1');
const stampText = (s: Stamp) => `commit ${shortCommit(s.commit)} on ${s.date}, load ${fix(s.loadAvg1m, 2)} at the start`;

/** "Measured at commit X on D, load L at the start." for the runs of one table. */
function stampLine(runs: MitosisFigures[]): string[] {
  const stamps = new Set(runs.map((r) => (r.measuredAt ? stampText(r.measuredAt) : 'an unrecorded commit')));
  return [`Measured at ${[...stamps].join('; ')}.`, ''];
}

/** The mitosis-against-HPA table, one scenario per pair of rows. */
export function renderMitosis(runs: MitosisFigures[]): string {
  const rows = [
    ...stampLine(runs),
    '| scenario | controller | time to target | peak replicas | replica-s | flaps | p99 ms | SLO violations | min_replicas violated | failed requests | client-nearest RTT | command |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of runs) {
    rows.push(`| ${m.scenario} | cell | ${mitosisCells(m.cell).join(' | ')} | ${code(m.command)} |`);
    rows.push(`| ${m.scenario} | hpa | ${mitosisCells(m.hpa).join(' | ')} | |`);
  }
  return rows.join('\n');
}

const range = (xs: number[], f: (n: number) => string = int) => (Math.min(...xs) === Math.max(...xs) ? f(xs[0]!) : `${f(Math.min(...xs))} to ${f(Math.max(...xs))}`);

/** The load-step scenario seed by seed, and on how many seeds each target of the mitosis issue holds. */
export function renderLoadStepSeeds(runs: Array<MitosisFigures & { seed: number }>): string {
  const opt = (v: number | null) => (v === null ? '-' : int(v));
  const rows = [
    ...stampLine(runs),
    '| seed | time to target, cell / hpa | peak | replica-s, cell / hpa | p99 ms, cell / hpa | flaps | min_replicas violated |',
    '|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.seed} | ${opt(r.cell.timeToTargetSeconds)} / ${opt(r.hpa.timeToTargetSeconds)} s | ${r.cell.peakReplicas} / ${r.hpa.peakReplicas} | ${int(r.cell.replicaSeconds)} / ${int(r.hpa.replicaSeconds)} | ${opt(r.cell.p99LatencyMs)} / ${opt(r.hpa.p99LatencyMs)} | ${r.cell.flaps} / ${r.hpa.flaps} | ${int(r.cell.minReplicasViolatedSeconds)} s |`),
  ];
  const n = runs.length;
  const held = (ok: (r: MitosisFigures) => boolean) => `${runs.filter(ok).length} of ${n} seeds`;
  const num = (v: number | null) => v ?? Infinity;
  const cellT = runs.map((r) => num(r.cell.timeToTargetSeconds));
  const hpaT = runs.map((r) => num(r.hpa.timeToTargetSeconds));
  const lines = [
    `- time to target at most half the HPA's: ${held((r) => num(r.cell.timeToTargetSeconds) <= num(r.hpa.timeToTargetSeconds) / 2)} (${range(cellT)} s against ${range(hpaT)} s);`,
    `- replica-seconds no more than the HPA's: ${held((r) => r.cell.replicaSeconds <= r.hpa.replicaSeconds)} (${range(runs.map((r) => r.cell.replicaSeconds))} against ${range(runs.map((r) => r.hpa.replicaSeconds))});`,
    `- zero flaps: ${held((r) => r.cell.flaps === 0)};`,
    `- p99 no worse than the HPA's: ${held((r) => num(r.cell.p99LatencyMs) <= num(r.hpa.p99LatencyMs))} (${range(runs.map((r) => num(r.cell.p99LatencyMs)))} ms against ${range(runs.map((r) => num(r.hpa.p99LatencyMs)))} ms);`,
    `- never under \`min_replicas\`: ${held((r) => r.cell.minReplicasViolatedSeconds === 0)}.`,
  ];
  return [...rows, '', ...lines].join('\n');
}

/** `text` with the part between `begin` and `end` replaced by `body`; throws if a marker is missing. */
export function replaceBetween(text: string, begin: string, end: string, body: string): string {
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README: markers ${begin} ... ${end} not found in order`);
  return `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`;
}

/** The README with both generated sections rendered from `m`. */
export function renderReadme(readme: string, m: Measured): string {
  let out = replaceBetween(readme, MEASURED_BEGIN, MEASURED_END, renderMeasured(m));
  if (m.mitosis && m.mitosis.length > 0) out = replaceBetween(out, MITOSIS_BEGIN, MITOSIS_END, renderMitosis(m.mitosis));
  if (m.loadStepSeeds && m.loadStepSeeds.length > 0) out = replaceBetween(out, SEEDS_BEGIN, SEEDS_END, renderLoadStepSeeds(m.loadStepSeeds));
  return out;
}
