// `npm run figures [-- --only sizes,bench,planetlab,geo1000,geo100k,mitosis,seeds] [--seconds N]`:
// runs the build, the bench and the simulator as a user would (the same commands the README
// shows), keeps what the README reports in docs/measured.json, and rewrites the README's
// measured sections from it (bench/measured-table.ts). Sections left out keep their last figures.
import { Command } from 'commander';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { renderReadme, type Measured, type SimFigures, type MitosisFigures, type MitosisRow, type Stamp } from './measured-table.ts';

const SECTIONS = ['sizes', 'bench', 'planetlab', 'geo1000', 'geo100k', 'mitosis', 'seeds'] as const;
type Section = (typeof SECTIONS)[number];

const program = new Command()
  .name('npm run figures --')
  .description('measure what the README reports, in one run, and rewrite its measured tables')
  .option('--only <list>', `comma-separated subset of ${SECTIONS.join(',')}`, SECTIONS.join(','))
  .option('--seconds <n>', 'seconds per bench measurement', '8')
  .option('--render-only', 'rewrite the README from docs/measured.json without measuring')
  .option('--no-build', 'measure the build/ that is there instead of running `npm run build` first')
  .parse();
const opts = program.opts<{ only: string; seconds: string; renderOnly?: boolean; build: boolean }>();
const only = new Set(opts.only.split(',').map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s as Section)) throw new Error(`--only: unknown section "${s}" (one of ${SECTIONS.join(', ')})`);

const MEASURED = join(REPO_ROOT, 'docs', 'measured.json');
const README = join(REPO_ROOT, 'README.md');
const KERNEL_BUDGET = 32 * 1024;
const CELLS = ['echo', 'exchange', 'kv'];
const work = mkdtempSync(join(tmpdir(), 'cell-figures-'));
const t0 = performance.now();

function step(what: string): void {
  console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${what}`);
}

/** Runs a command as the README shows it (argv[0] `npx cell` becomes `node bin/cell.js`), inheriting the terminal. */
function run(command: string): void {
  const argv = command.split(' ');
  const [exe, ...args] = argv[0] === 'npx' && argv[1] === 'cell' ? ['node', 'bin/cell.js', ...argv.slice(2)] : argv;
  const r = spawnSync(exe!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`\`${command}\` failed with exit code ${r.status}`);
}

/** This invocation's commit, day and load: every section it measures carries it. */
let stamp: Stamp = { commit: '', date: '', loadAvg1m: 0 };

function commit(): string {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
  return dirty ? `${head} (with uncommitted changes)` : head;
}

function sizes(): Measured['sizes'] {
  const size = (f: string) => statSync(join(REPO_ROOT, 'build', f)).size;
  return {
    command: 'npm run build',
    kernelMcu: size('kernel.wasm'),
    kernelHost: size('kernel.host.wasm'),
    kernelBudget: KERNEL_BUDGET,
    cells: Object.fromEntries(CELLS.map((c) => [c, size(`cells/${c}.wasm`)])),
  };
}

/** Runs `cell sim` and keeps the figures the README shows. */
function sim(args: string): SimFigures {
  const file = join(work, 'sim.json');
  const command = `npx cell sim ${args}`;
  run(`${command} --json ${file} --quiet`);
  return { measuredAt: stamp, ...simFigures(command, JSON.parse(readFileSync(file, 'utf8'))) };
}

function simFigures(command: string, r: any): SimFigures {
  const v = r.vivaldi;
  return {
    command, nodes: r.nodes, simSeconds: r.simSeconds, wallSeconds: r.wallSeconds, peakRssBytes: r.peakRssBytes, events: r.events,
    medianRelError: v.medianRelError, p90RelError: v.p90RelError, p99RelError: v.p99RelError,
    routing: r.routing
      ? { source: r.routing.source, nearestHitRate: r.routing.nearestHitRate, medianStretch: r.routing.medianStretch, p90Stretch: r.routing.p90Stretch }
      : null,
  };
}

function mitosisRow(c: any, maxReplicas: number): MitosisRow {
  return {
    timeToTargetSeconds: c.timeToTargetSeconds, peakReplicas: c.peakReplicas, maxReplicas, replicaSeconds: c.replicaSeconds,
    flaps: c.flaps, p99LatencyMs: c.p99LatencyMs, sloViolationRate: c.sloViolationRate,
    minReplicasViolatedSeconds: c.minReplicasViolatedSeconds, failedRequests: c.failedRequests, clientNearestRttMs: c.clientNearestRttMs,
  };
}

function mitosis(scenario: string, duration: number, seed = 1): MitosisFigures {
  const file = join(work, `${scenario}.json`);
  const command = `npx cell sim --nodes 1000 --duration ${duration} --seed ${seed} --scenario ${scenario}`;
  run(`${command} --json ${file} --quiet`);
  const m = JSON.parse(readFileSync(file, 'utf8')).mitosis;
  return {
    measuredAt: stamp,
    command, scenario, cell: mitosisRow(m.cell, m.biology.maxReplicas), hpa: mitosisRow(m.hpa, m.biology.maxReplicas),
  };
}

function planetlabMatrix(): string {
  for (const f of ['test/fixtures/planetlab490.txt.gz', '../shared/data/planetlab490.txt']) if (existsSync(join(REPO_ROOT, f))) return f;
  throw new Error('no PlanetLab matrix: test/fixtures/planetlab490.txt.gz is missing');
}

try {
  const previous: Partial<Measured> = existsSync(MEASURED) ? JSON.parse(readFileSync(MEASURED, 'utf8')) : {};
  const m: Measured = {
    run: previous.run ?? { date: '', commit: '', cpus: 0, loadAvg1m: 0 },
    sizes: previous.sizes ?? sizes(),
    bench: previous.bench, sims: { ...previous.sims }, mitosis: previous.mitosis, loadStepSeeds: previous.loadStepSeeds,
  };
  if (!opts.renderOnly) {
    m.run = { date: new Date().toISOString().slice(0, 10), commit: commit(), cpus: cpus().length, loadAvg1m: loadavg()[0]! };
    stamp = { commit: m.run.commit, date: m.run.date, loadAvg1m: m.run.loadAvg1m };
    if (opts.build) {
      step('npm run build');
      run('npm run build');
    }
    if (only.has('sizes')) m.sizes = { measuredAt: stamp, ...sizes() };
    if (only.has('bench')) {
      step('npm run bench');
      const file = join(work, 'bench.json');
      run(`npx tsx bench/main.ts --seconds ${opts.seconds} --json ${file}`);
      m.bench = { measuredAt: stamp, command: 'npm run bench', figures: JSON.parse(readFileSync(file, 'utf8')) };
    }
    if (only.has('planetlab')) { step('PlanetLab'); m.sims!.planetlab = sim(`--nodes 490 --duration 1800 --seed 7 --matrix ${planetlabMatrix()}`); }
    if (only.has('geo1000')) { step('geo 1000 (npm start)'); m.sims!.geo1000 = sim('--nodes 1000 --latency geo --duration 1800 --seed 1'); }
    if (only.has('geo100k')) { step('geo 100,000'); m.sims!.geo100k = sim('--nodes 100000 --latency geo --duration 60 --seed 1'); }
    if (only.has('mitosis')) {
      m.mitosis = [];
      for (const [s, d] of [['load-step', 1200], ['node-failures', 1200], ['flash-crowd', 1200], ['diurnal', 3600]] as const) {
        step(`mitosis ${s}`);
        m.mitosis.push(mitosis(s, d));
      }
    }
    if (only.has('seeds')) {
      m.loadStepSeeds = [];
      for (let seed = 1; seed <= 10; seed++) {
        step(`load-step, seed ${seed} of 10`);
        m.loadStepSeeds.push({ seed, ...mitosis('load-step', 1200, seed) });
      }
    }
    writeFileSync(MEASURED, JSON.stringify(m, null, 2) + '\n');
    step(`wrote ${MEASURED}`);
  }
  writeFileSync(README, renderReadme(readFileSync(README, 'utf8'), m));
  step(`rewrote the measured tables in ${README}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
