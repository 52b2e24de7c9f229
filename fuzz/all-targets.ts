// Every fuzz target, built from the repository's build/ outputs (run `npm run build` first).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { CellInstance } from '../host/runtime/cell-instance.ts';
import { compileAssemblyScript } from '../host/build/asc.ts';
import { validateSchema } from '../host/sdk/schema.ts';
import { kernelPath, REPO_ROOT } from '../host/build/paths.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { headerTarget } from './targets/header.ts';
import { kernelTarget } from './targets/kernel-frames.ts';
import { serialTarget } from './targets/serial-framing.ts';
import { udpFragmentsTarget } from './targets/udp-fragments.ts';
import { hostCborTarget } from './targets/host-cbor.ts';
import { firmwareCborTarget, type CborHarness } from './targets/firmware-cbor.ts';
import { cellTarget } from './targets/cell-calls.ts';
import { sporeFileTarget } from './targets/spore-file.ts';
import { installReplyTarget } from './targets/install-reply.ts';

export const TARGET_NAMES = ['header', 'kernel', 'serial', 'udp-fragments', 'firmware-cbor', 'host-cbor', 'cells', 'spore-file', 'install-reply'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Builds the targets named in `only` (all by default); 'cells' stands for one target per example cell. */
export async function buildTargets(seed: number, only: ReadonlySet<TargetName> = new Set(TARGET_NAMES)): Promise<FuzzTarget[]> {
  const out: FuzzTarget[] = [];
  if (only.has('header')) out.push(headerTarget());
  if (only.has('kernel')) {
    const module = await KernelInstance.compile(new Uint8Array(await readFile(kernelPath('host'))));
    const echo = await CellInstance.load(new Uint8Array(await readFile(join(REPO_ROOT, 'build', 'cells', 'echo.wasm'))), { maxPages: 1, fuelPerCall: 10_000_000 });
    out.push(kernelTarget(module, echo));
  }
  if (only.has('serial')) out.push(serialTarget());
  if (only.has('udp-fragments')) out.push(udpFragmentsTarget());
  if (only.has('firmware-cbor')) {
    const { binary } = await compileAssemblyScript({ entries: ['test/harness/cbor-harness.ts'], runtime: 'minimal' });
    const module = new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>);
    // Whatever the HAL imports are today: the CBOR codec calls none, and one that is called is a crash.
    const imports: Record<string, Record<string, () => never>> = {};
    for (const i of WebAssembly.Module.imports(module)) {
      (imports[i.module] ??= {})[i.name] = () => {
        throw new Error(`the CBOR harness called ${i.module}.${i.name} (a panic, or a HAL call a codec must not make)`);
      };
    }
    const instance = new WebAssembly.Instance(module, imports);
    out.push(firmwareCborTarget(instance.exports as unknown as CborHarness, seed));
  }
  if (only.has('host-cbor')) out.push(hostCborTarget(seed));
  if (only.has('spore-file')) out.push(sporeFileTarget());
  if (only.has('install-reply')) out.push(installReplyTarget());
  if (only.has('cells')) {
    const dir = join(REPO_ROOT, 'build', 'cells');
    const wasms = (await readdir(dir)).filter((f) => f.endsWith('.wasm')).sort();
    for (const f of wasms) {
      const name = f.slice(0, -'.wasm'.length);
      const schema = validateSchema(JSON.parse(await readFile(join(dir, `${name}.schema.json`), 'utf8')).schema);
      out.push(await cellTarget(name, new Uint8Array(await readFile(join(dir, f))), schema, seed));
    }
  }
  return out;
}
