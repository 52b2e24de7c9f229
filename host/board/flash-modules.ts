// Pushes a kernel and cells into a board's module store over its install link (install-link.ts):
// each module is begun, sent in chunks, committed with its SHA-256 and size; the board hashes
// what it stored and refuses a mismatch. Slots not flashed are erased, then the board reboots and
// is asked for its node id and free RAM.
import { createHash } from 'node:crypto';
import { INSTALL_MAX_CHUNK, STORE_SLOTS, statusText, type BoardInfo, type InstallReply } from './install-frames.ts';
import type { InstallLink } from './install-link.ts';

export interface FlashModule { name: string; slot: number; species: number; bytes: Uint8Array }
export interface FlashProgress { start(total: number): void; advance(bytes: number): void; stop(): void }
export interface FlashResult { info: BoardInfo; modules: { name: string; slot: number; size: number; sha256: string }[] }

export class ModuleRejectedError extends Error {}

function expectOk(r: InstallReply, what: string): void {
  if (r.status !== 'ok') throw new ModuleRejectedError(`${what}: ${statusText(r.status)}`);
}

/** Modules in order: the kernel in slot 0, then each cell in slots 1.. . */
export function planModules(kernel: Uint8Array, cells: { name: string; species: number; bytes: Uint8Array }[]): FlashModule[] {
  if (cells.length > STORE_SLOTS - 1) throw new Error(`a board holds at most ${STORE_SLOTS - 1} cells, got ${cells.length}`);
  return [{ name: 'kernel', slot: 0, species: 0, bytes: kernel }, ...cells.map((c, i) => ({ ...c, slot: i + 1 }))];
}

export async function flashModules(link: InstallLink, modules: FlashModule[], progress?: FlashProgress): Promise<FlashResult> {
  const first = await link.request({ op: 'info' });
  expectOk(first, 'info');
  const slotBytes = first.op === 'info' ? first.info!.slotBytes : 0;
  for (const m of modules) {
    if (m.bytes.length > slotBytes) throw new ModuleRejectedError(`${m.name} is ${m.bytes.length} bytes; a store slot on this board holds ${slotBytes}`);
  }
  progress?.start(modules.reduce((n, m) => n + m.bytes.length, 0));
  const done: FlashResult['modules'] = [];
  try {
    for (const m of modules) {
      const sha256 = createHash('sha256').update(m.bytes).digest();
      expectOk(await link.request({ op: 'begin', slot: m.slot, species: m.species, size: m.bytes.length }), `${m.name}: begin`);
      for (let at = 0; at < m.bytes.length; at += INSTALL_MAX_CHUNK) {
        const bytes = m.bytes.subarray(at, at + INSTALL_MAX_CHUNK);
        expectOk(await link.request({ op: 'chunk', slot: m.slot, offset: at, bytes }), `${m.name}: chunk at ${at}`);
        progress?.advance(bytes.length);
      }
      const c = await link.request({ op: 'commit', slot: m.slot, size: m.bytes.length, sha256 });
      expectOk(c, m.name);
      const got = c.op === 'commit' && c.sha256 ? Buffer.from(c.sha256).toString('hex') : '';
      if (got !== sha256.toString('hex')) throw new ModuleRejectedError(`${m.name}: the board reported SHA-256 ${got}, expected ${sha256.toString('hex')}`);
      done.push({ name: m.name, slot: m.slot, size: m.bytes.length, sha256: got });
    }
  } finally {
    progress?.stop();
  }
  const used = new Set(modules.map((m) => m.slot));
  for (let s = 0; s < STORE_SLOTS; s++) {
    if (!used.has(s)) expectOk(await link.request({ op: 'erase', slot: s }), `erase slot ${s}`);
  }
  const listed = await link.request({ op: 'list' });
  expectOk(listed, 'list');
  for (const d of done) {
    const m = listed.op === 'list' ? listed.modules!.find((x) => x.slot === d.slot) : undefined;
    if (!m || Buffer.from(m.sha256).toString('hex') !== d.sha256) throw new ModuleRejectedError(`${d.name}: the board's store does not list it after the commit`);
  }
  expectOk(await link.request({ op: 'reboot' }), 'reboot');
  const info = await waitForKernel(link);
  return { info, modules: done };
}

/** Asks for INFO until the board, rebooted, reports its kernel running (a few tries: it is starting). */
export async function waitForKernel(link: InstallLink, tries = 10): Promise<BoardInfo> {
  let last: Error | undefined;
  for (let i = 0; i < tries; i++) {
    try {
      const r = await link.request({ op: 'info' }, 1000);
      expectOk(r, 'info');
      const info = r.op === 'info' ? r.info! : undefined;
      if (info?.kernelRunning) return info;
      last = new Error('the board rebooted without running its kernel (see its log)');
    } catch (err) {
      last = err as Error;
    }
  }
  throw last ?? new Error('the board does not answer');
}
