// Starts a worker thread whose entry is a TypeScript module. On Node 20 a worker does not load a
// .ts entry through the parent's `--import tsx` (the entry resolves before the hooks exist), so
// a one-line booter registers tsx's ESM hooks first and then imports the entry.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // Resolved here, so the worker finds tsx whatever its working directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
