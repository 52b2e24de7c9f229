#!/usr/bin/env node
// The `cell` command. Host code is TypeScript run through tsx, so there is no separate compile step.
//
// `cell sim` instantiates one kernel per simulated node. With V8's trap-handler bounds checks,
// every wasm memory reserves ~10 GB of address space, which caps a process near 12,000 nodes;
// inline bounds checks lift that cap at no measured cost (README, "Measured"). So `sim` re-runs
// itself with --disable-wasm-trap-handler.
import { spawnSync } from 'node:child_process';

const FLAG = '--disable-wasm-trap-handler';
if (process.argv[2] === 'sim' && !process.execArgv.includes(FLAG)) {
  const r = spawnSync(process.execPath, [...process.execArgv, FLAG, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { register } = await import('tsx/esm/api');
register();
await import('../host/cli/main.ts');
