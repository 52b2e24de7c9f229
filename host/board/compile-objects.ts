// The bare-metal images' objects, compiled once per set of inputs: the compiler flags, every
// source and every header they may include make a stamp, and the objects live in a folder named
// by it. Test processes build the same objects at once (a fresh clone): each compiles in a folder
// of its own and renames it into place whole; the first one there wins, the others discard theirs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ObjectBuild {
  /** Runs the compiler (`cc ...args` in `cwd`), throwing the platform's own error on failure. */
  compile: (args: string[], cwd: string) => void;
  cflags: string[];
  sources: string[];
  /** Folders whose headers count towards the stamp. */
  headerDirs: string[];
  /** Where the stamped object folders go. */
  root: string;
}

/** The object files of `sources`, in their order (compiled only when the stamp is new). */
export function compileObjects(b: ObjectBuild): string[] {
  const stamp = createHash('sha256').update(JSON.stringify(b.cflags));
  for (const f of b.sources) stamp.update(f).update(readFileSync(f));
  for (const d of b.headerDirs) for (const f of readdirSync(d).filter((x) => x.endsWith('.h')).sort()) stamp.update(readFileSync(join(d, f)));
  const objDir = join(b.root, stamp.digest('hex').slice(0, 16));
  const objects = b.sources.map((f, i) => join(objDir, `${i}-${basename(f, '.c')}.o`));
  if (existsSync(join(objDir, 'done'))) return objects;
  const tmp = `${objDir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  b.compile([...b.cflags, '-c', ...b.sources], tmp);
  // gcc -c names each object after its source; give them the numbered names above.
  b.sources.forEach((f, i) => renameSync(join(tmp, `${basename(f, '.c')}.o`), join(tmp, basename(objects[i]!))));
  writeFileSync(join(tmp, 'done'), '');
  if (existsSync(objDir) && !existsSync(join(objDir, 'done'))) rmSync(objDir, { recursive: true, force: true }); // a build cut off
  try {
    renameSync(tmp, objDir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process got there first
  }
  return objects;
}
