// Start-up of the `cell` command, each process timed from spawn to the line that matters, beside
// `node -e 0` spawned in the same run: `cell --help` to exit, `cell run` to its "listening" line,
// `cell call` against that node to its printed answer. `npx tsx bench/cli.ts [path/to/cell.js]`
// measures another checkout's CLI.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cellBin, REPO, startCell } from './node-process.ts';
import { percentile } from './percentiles.ts';

export interface CliBench {
  /** p50 of `cell --help`, spawn to exit. */
  helpMs: number;
  /** p50 over `runs` of `cell call echo echo '"hi"' --peer <node>`, spawn to the printed answer. */
  callP50Ms: number;
  /** p50 of `cell run build/cells/echo.wasm`, spawn to "listening". */
  runToListeningMs: number;
  runs: number;
  /** `node -e 0`, spawn to exit, p50 over the same number of runs. */
  baseline: { nodeMs: number };
}

/** ms from spawning `node <args>` until its stdout matches `until` (or until it exits, without one). */
function timeNode(args: string[], until?: RegExp): Promise<number> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (until?.test(out)) resolve(performance.now() - t0);
    });
    proc.stderr.on('data', (d) => (out += d));
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with ${code}: ${out}`));
      else if (until && !until.test(out)) reject(new Error(`node ${args.join(' ')} exited without printing ${until}: ${out}`));
      else resolve(performance.now() - t0);
    });
  });
}

async function p50(runs: number, one: () => Promise<number>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await one());
  return percentile(ms, 0.5);
}

export async function benchCli(opts: { runs?: number; bin?: string } = {}): Promise<CliBench> {
  const runs = opts.runs ?? 10;
  const bin = opts.bin ?? cellBin();
  const run = ['run', 'build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast'];
  const nodeMs = await p50(runs, () => timeNode(['-e', '0']));
  const helpMs = await p50(runs, () => timeNode([bin, '--help']));
  const runToListeningMs = await p50(Math.min(runs, 5), async () => {
    const t0 = performance.now();
    const { proc } = await startCell(run, /listening/, bin);
    const ms = performance.now() - t0;
    proc.kill();
    return ms;
  });
  const { proc, match } = await startCell(run, /listening on udp ([\d.]+:\d+)/, bin);
  try {
    const callP50Ms = await p50(runs, () => timeNode([bin, 'call', 'echo', 'echo', '"hi"', '--peer', match[1]!], /"hi"/));
    return { helpMs, callP50Ms, runToListeningMs, runs, baseline: { nodeMs } };
  } finally {
    proc.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await benchCli({ bin: process.argv[2] }));
}
