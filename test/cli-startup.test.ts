// What each `cell` command loads, read from a module-load hook in the real processes: the compiled
// CLI runs no TypeScript, only `build` pays for the compiler toolchain (assemblyscript, binaryen;
// wabt is only the tests' oracle) and only `sim` for the simulator.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cellBin, REPO } from '../bench/node-process.ts';

const HOOK = fileURLToPath(new URL('./fixtures/log-module-loads.mjs', import.meta.url));
const TOOLCHAIN = /\/node_modules\/(assemblyscript|binaryen|wabt)\//;
const SIMULATOR = /\/simulator\//;
const TYPESCRIPT = /\.ts$|\/node_modules\/(tsx|typescript|esbuild)\//;

let logs = 0;

/**
 * Runs `cell <args>` with the hook; stops it once its stdout matches `until` (or lets it exit) and
 * returns the URLs it loaded, with its stdout.
 */
async function loads(args: string[], until?: RegExp, env: Record<string, string> = {}): Promise<{ urls: string[]; out: string; stop: () => void }> {
  const log = join(await mkdtemp(join(tmpdir(), 'cell-loads-')), `${logs++}.log`);
  const proc = spawn(process.execPath, ['--import', HOOK, cellBin(), ...args], { cwd: REPO, env: { ...process.env, ...env, CELL_MODULE_LOG: log } });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      if (until?.test(out)) resolve();
    });
    proc.once('exit', (code) => (until || code !== 0 ? reject(new Error(`cell ${args.join(' ')} exited with ${code}: ${out}${err}`)) : resolve()));
  });
  const urls = (await readFile(log, 'utf8')).split('\n').filter((u) => u !== '');
  return { urls, out, stop: () => proc.kill() };
}

const matching = (urls: string[], re: RegExp) => urls.filter((u) => re.test(u));

test('cell --help loads neither the toolchain, the runtime nor the simulator, and no TypeScript', async (t) => {
  const { urls, out } = await loads(['--help']);
  t.regex(out, /Usage: cell/);
  t.true(urls.some((u) => u.endsWith('/dist/host/cli/main.js')), 'the hook saw the compiled main');
  t.deepEqual(matching(urls, TOOLCHAIN), []);
  t.deepEqual(matching(urls, SIMULATOR), []);
  t.deepEqual(matching(urls, TYPESCRIPT), []);
  t.deepEqual(matching(urls, /\/dist\/host\/runtime\//), []);
});

test('cell run and cell call load neither the toolchain (assemblyscript, binaryen, wabt) nor the simulator', async (t) => {
  const run = await loads(['run', 'build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast'], /listening on udp ([\d.]+:\d+)/);
  try {
    const peer = /listening on udp ([\d.]+:\d+)/.exec(run.out)![1]!;
    // Hosting a cell checks its profile with host/build/wasm-features.ts, not wabt.
    t.true(run.urls.some((u) => u.endsWith('/dist/host/build/wasm-features.js')), 'the hook saw the profile check');
    t.deepEqual(matching(run.urls, TOOLCHAIN), []);
    t.deepEqual(matching(run.urls, SIMULATOR), []);
    t.deepEqual(matching(run.urls, TYPESCRIPT), []);
    const call = await loads(['call', 'echo', 'echo', '"hi"', '--peer', peer]);
    t.is(call.out.trim(), '"hi"');
    t.true(call.urls.some((u) => u.endsWith('/dist/host/runtime/cell-node.js')), 'the hook saw the runtime');
    t.deepEqual(matching(call.urls, TOOLCHAIN), []);
    t.deepEqual(matching(call.urls, SIMULATOR), []);
    t.deepEqual(matching(call.urls, TYPESCRIPT), []);
    const peers = await loads(['peers', '--once', '200', '--json', '--peer', peer]);
    t.deepEqual(matching(peers.urls, TOOLCHAIN), []);
    t.deepEqual(matching(peers.urls, SIMULATOR), []);
  } finally {
    run.stop();
  }
});

test('cell inspect loads no toolchain either; cell build does, and the hook sees it', async (t) => {
  const inspect = await loads(['inspect', 'build/cells/echo.wasm', '--json']);
  t.true(inspect.urls.some((u) => u.endsWith('/dist/host/build/wasm-features.js')));
  t.deepEqual(matching(inspect.urls, TOOLCHAIN), []);
  t.deepEqual(matching(inspect.urls, TYPESCRIPT), []);
  const out = await mkdtemp(join(tmpdir(), 'cell-build-'));
  // With the compile cache off, the build compiles; built once more with it on (the first fills it
  // if it is cold), a build is served from the cache (host/build/asc.ts) and never loads the compiler.
  const build = await loads(['build', 'firmware/cells/echo', '--out', out], undefined, { CELL_ASC_CACHE: '0' });
  t.regex(build.out, /echo {2}species/);
  t.true(matching(build.urls, TOOLCHAIN).some((u) => u.includes('/node_modules/assemblyscript/')));
  t.true(matching(build.urls, TOOLCHAIN).some((u) => u.includes('/node_modules/binaryen/')));
  await loads(['build', 'firmware/cells/echo', '--out', out]);
  const again = await loads(['build', 'firmware/cells/echo', '--out', out]);
  t.regex(again.out, /echo {2}species/);
  t.deepEqual(matching(again.urls, TOOLCHAIN).filter((u) => u.includes('/node_modules/assemblyscript/')), [], 'a repeat build comes from the compile cache');
});
