// The host file behind the QEMU board's flash (boards/runtime/platform/qemu-mps2-an386/flash-file.h):
// the posix board's --store layout, the 1 MiB module store then the 256 KiB cell store. A new one
// is zeros, as a new posix store file and QEMU's fresh flash are; an existing one is left as it is,
// whatever it holds: the board checks what it loads (module SHA-256s, cell-store CRCs). `cell flash`
// keeps it in build/board/qemu-mps2-an386.store unless --store names another (flash-command.ts).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CELL_STORE_BYTES, STORE_BYTES } from './build-qemu.ts';

export const QEMU_STORE_FILE_BYTES = STORE_BYTES + CELL_STORE_BYTES;

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
