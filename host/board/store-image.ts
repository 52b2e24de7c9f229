// The bytes of a board's module store holding given modules, laid out as core/module-store.c
// reads it (docs/boards.md, "Module store"): a 4 KiB directory of 64-byte entries (magic "CMS1",
// species, size, SHA-256), then one area per slot. For a board whose store is written by
// copying a file (the rp2040's .uf2) rather than over the install protocol; the board still
// hashes every module at start-up and runs only those that match.
import { createHash } from 'node:crypto';
import { STORE_SLOTS } from './install-frames.ts';
import type { FlashModule } from './flash-modules.ts';

const DIR_BYTES = 4096;
const ENTRY_BYTES = 64;
const ENTRY_MAGIC = 0x31534d43;

/** Bytes one slot holds in a store of `storeBytes` (module-store.c's store_slot_bytes). */
export function storeSlotBytes(storeBytes: number): number {
  return storeBytes <= DIR_BYTES ? 0 : Math.floor((storeBytes - DIR_BYTES) / STORE_SLOTS / 4096) * 4096;
}

/**
 * The store's bytes up to the end of its last module (the rest of the store is not part of the
 * image: its directory marks it empty). Empty slots' entries are zero.
 */
export function storeImage(modules: FlashModule[], storeBytes: number): Uint8Array {
  const slotBytes = storeSlotBytes(storeBytes);
  let end = DIR_BYTES;
  for (const m of modules) {
    if (m.slot < 0 || m.slot >= STORE_SLOTS) throw new Error(`${m.name}: slot ${m.slot} is not 0..${STORE_SLOTS - 1}`);
    if (m.bytes.length > slotBytes) throw new Error(`${m.name} is ${m.bytes.length} bytes; a store slot on this board holds ${slotBytes}`);
    end = Math.max(end, DIR_BYTES + m.slot * slotBytes + m.bytes.length);
  }
  if (new Set(modules.map((m) => m.slot)).size !== modules.length) throw new Error('two modules for one slot');
  const out = new Uint8Array(end);
  const view = new DataView(out.buffer);
  for (const m of modules) {
    const e = m.slot * ENTRY_BYTES;
    view.setUint32(e, ENTRY_MAGIC, true);
    view.setUint32(e + 4, m.species >>> 0, true);
    view.setUint32(e + 8, m.bytes.length, true);
    out.set(createHash('sha256').update(m.bytes).digest(), e + 12);
    out.set(m.bytes, DIR_BYTES + m.slot * slotBytes);
  }
  return out;
}
