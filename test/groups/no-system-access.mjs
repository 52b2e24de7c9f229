// Loaded into every unit-test worker (unit.ava.config.mjs): starting a process or a worker
// thread, or opening a socket, throws, so a test that needs one is moved to SYSTEM_TESTS rather
// than slowing or breaking the quick run. Patching the CommonJS objects and syncing the ESM
// bindings covers `import { spawn } from 'node:child_process'` too.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const BLOCKED = {
  'node:child_process': ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'],
  'node:dgram': ['createSocket'],
  'node:net': ['createServer', 'createConnection', 'connect'],
  'node:http': ['createServer', 'request', 'get'],
  'node:https': ['createServer', 'request', 'get'],
  'node:worker_threads': ['Worker'],
};

for (const [module, names] of Object.entries(BLOCKED)) {
  const exports = require(module);
  for (const name of names) {
    exports[name] = function blocked() {
      throw new Error(`${module} ${name}() in a unit test: list this file in test/groups/system-tests.mjs (npm test runs it, npm run test:unit does not)`);
    };
  }
}
// The AssemblyScript compiler fetches its own wasm by file: URL; only the network is refused.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol === 'file:' || url.protocol === 'data:') return realFetch(input, init);
  return Promise.reject(new Error(`fetch(${url.href}) in a unit test: list this file in test/groups/system-tests.mjs`));
};
syncBuiltinESMExports();
