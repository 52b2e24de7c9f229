// The host file behind the QEMU board's flash (boards/runtime/platform/qemu-mps2-an386/flash-file.h):
// the posix board's --store layout, the 1 MiB module store then the 256 KiB cell store. A new one
// is zeros, as a new posix store file and QEMU's fresh flash are; an existing one is left as it is,
// whatever it holds: the board checks what it loads (module SHA-256s, cell-store CRCs).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_DIR } from '../build/paths.ts';
import { CELL_STORE_BYTES, QEMU_BOARD, STORE_BYTES } from './build-qemu.ts';

export const QEMU_STORE_FILE_BYTES = STORE_BYTES + CELL_STORE_BYTES;

/** Where `cell flash --board qemu-mps2-an386` keeps the board's flash unless --store names a file. */
export const DEFAULT_QEMU_STORE = join(BUILD_DIR, 'board', `${QEMU_BOARD}.store`);

/** Creates the store file (zeros) when it does not exist; true when it did. Throws for a path that is not a file. */
export function prepareQemuStoreFile(path: string): boolean {
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new Error(`--store ${path} is not a file`);
    return false;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, new Uint8Array(QEMU_STORE_FILE_BYTES), { flag: 'wx' });
  return true;
}
