// `npm run fuzz [-- --inputs N] [--seconds S] [--only a,b] [--seed N] [--json FILE]`: every
// decoder on seeded random and mutated inputs (docs/fuzz.md). Prints, per target, inputs per
// second, crashes (must be 0) and outcomes by reason; exits 1 on any crash.
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import cliProgress from 'cli-progress';
import { buildTargets, TARGET_NAMES, type TargetName } from './all-targets.ts';
import { runTarget, type TargetResult } from './fuzz-target.ts';

const program = new Command()
  .name('npm run fuzz --')
  .description('fuzz every decoder with seeded random and mutated inputs')
  .option('--inputs <n>', 'inputs per target', '1000000')
  .option('--seconds <s>', 'stop a target after this many seconds (default: no limit)')
  .option('--only <list>', `comma-separated subset of ${TARGET_NAMES.join(',')}`)
  .option('--seed <n>', 'seed; a crash is reproduced by the same seed, --only and --inputs index+1', '1')
  .option('--json <file>', 'also write the results as JSON')
  .option('-q, --quiet', 'no progress bar')
  .parse();
const o = program.opts<{ inputs: string; seconds?: string; only?: string; seed: string; json?: string; quiet?: boolean }>();
const inputs = Number(o.inputs);
if (!Number.isInteger(inputs) || inputs < 1) throw new Error(`--inputs must be a whole number >= 1, not "${o.inputs}"`);
const seconds = o.seconds === undefined ? Infinity : Number(o.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be positive, not "${o.seconds}"`);
const seed = Number(o.seed);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number >= 0, not "${o.seed}"`);
const only = new Set((o.only ?? TARGET_NAMES.join(',')).split(',').map((s) => s.trim()));
for (const name of only) if (!TARGET_NAMES.includes(name as TargetName)) throw new Error(`--only: unknown target "${name}" (${TARGET_NAMES.join(', ')})`);

const targets = await buildTargets(seed, only as Set<TargetName>);
console.log(`fuzz: ${targets.length} targets, ${inputs.toLocaleString('en')} inputs each, seed ${seed}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
const bar = !o.quiet && process.stdout.isTTY
  ? new cliProgress.SingleBar({ format: '{target} [{bar}] {percentage}% {value}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic)
  : undefined;
const results: TargetResult[] = [];
for (const t of targets) {
  bar?.start(inputs, 0, { target: t.name.padEnd(14) });
  const r = runTarget(t, { seed, inputs, seconds, onProgress: (done) => bar?.update(done) });
  bar?.stop();
  results.push(r);
  const top = Object.entries(r.outcomes).slice(0, 6).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ');
  const more = Object.keys(r.outcomes).length > 6 ? `, ... (${Object.keys(r.outcomes).length} reasons)` : '';
  console.log(`${t.name.padEnd(14)} ${r.inputs.toLocaleString('en').padStart(10)} inputs  ${r.inputsPerSecond.toLocaleString('en').padStart(9)}/s  crashes ${r.crashes}  | ${top}${more}`);
  for (const c of r.crashSamples) {
    console.log(`  CRASH at input ${c.index}: ${c.error}\n    input ${c.inputHex.slice(0, 160)}${c.inputHex.length > 160 ? '...' : ''}\n    reproduce: npm run fuzz -- --only ${t.name.startsWith('cell:') ? 'cells' : t.name} --seed ${seed} --inputs ${c.index + 1}`);
  }
}
const crashes = results.reduce((n, r) => n + r.crashes, 0);
console.log(`total: ${results.reduce((n, r) => n + r.inputs, 0).toLocaleString('en')} inputs, ${crashes} crashes`);
if (o.json) {
  await writeFile(o.json, JSON.stringify({ seed, inputsPerTarget: inputs, machine: { cpus: cpus().length, loadAvg1m: loadavg()[0] }, targets: results }, null, 2) + '\n');
  console.log(`json: ${o.json}`);
}
process.exitCode = crashes > 0 ? 1 : 0;
