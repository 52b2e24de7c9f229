#!/usr/bin/env node
// The `cell` command. It runs the host code compiled to dist/ by `npm run build:host` (tsc), so
// no TypeScript is transformed at start-up.
//
// `cell sim` instantiates one kernel per simulated node. With V8's trap-handler bounds checks,
// every wasm memory reserves ~10 GB of address space, which caps a process near 12,000 nodes;
// inline bounds checks lift that cap at no measured cost (README, "Measured"). So `sim` re-runs
// itself with --disable-wasm-trap-handler.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FLAG = '--disable-wasm-trap-handler';
if (process.argv[2] === 'sim' && !process.execArgv.includes(FLAG)) {
  const r = spawnSync(process.execPath, [...process.execArgv, FLAG, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAIN_URL = new URL('../dist/host/cli/main.js', import.meta.url);
const MAIN = fileURLToPath(MAIN_URL);

if (!existsSync(MAIN)) {
  process.stderr.write(`cell: the compiled CLI (${MAIN}) is missing: run \`npm run build:host\` in ${REPO}\n`);
  process.exit(1);
}

await import(MAIN_URL.href);
