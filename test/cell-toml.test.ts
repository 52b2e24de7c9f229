import test from 'ava';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { CellConfigError, DEFAULT_BIOLOGY, DEFAULT_MEMORY, readCellToml } from '../host/build/cell-toml.ts';
import { appendCustomSection } from '../host/build/custom-section.ts';
import { inspectWasm } from '../host/build/inspect.ts';

const DIR = join(REPO_ROOT, 'build', 'test', `cell-toml-${process.pid}`);
let n = 0;

/** A fresh cell directory with this cell.toml and an empty `<source>`. */
function cellDir(toml: string, source = 'demo.ts'): string {
  const dir = join(DIR, String(n++));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cell.toml'), toml);
  writeFileSync(join(dir, source), '');
  return dir;
}

test.after.always(() => rmSync(DIR, { recursive: true, force: true }));

test('the example cells read with their limits and biology', (t) => {
  const ex = readCellToml(join(REPO_ROOT, 'firmware/cells/exchange'));
  t.is(ex.name, 'exchange');
  t.is(ex.source, join(REPO_ROOT, 'firmware/cells/exchange/exchange.ts'));
  t.deepEqual(ex.biology, { min_replicas: 3, max_replicas: 64, cpu_target: 0.6 });
  t.deepEqual(ex.limits, { in_bytes: 1024, out_bytes: 2028, memory: DEFAULT_MEMORY });
  t.deepEqual(readCellToml(join(REPO_ROOT, 'firmware/cells/echo')).limits, { in_bytes: 1024, out_bytes: 1024, memory: 16384 });
  t.deepEqual(readCellToml(join(REPO_ROOT, 'firmware/cells/kv')).limits, { in_bytes: 512, out_bytes: 512, memory: 23552 });
  const users = readCellToml(join(REPO_ROOT, 'test/fixtures/cells/users-v1'));
  t.deepEqual(users.biology, DEFAULT_BIOLOGY);
  t.deepEqual(users.limits, { in_bytes: 2048, out_bytes: 2028, memory: 32768 });
});

test('defaults, a custom source, a percentage cpu_target, dependency tables', (t) => {
  const c = readCellToml(cellDir('[cell]\nname = "demo"\nsource = "src.ts"\n[cell.biology]\ncpu_target = "85%"\nmin_replicas = 20\n[cell.exchange]\nauthority = "ed25519:7a8f"\n', 'src.ts'));
  t.true(c.source.endsWith('src.ts'));
  t.is(c.biology.cpu_target, 0.85);
  t.is(c.biology.max_replicas, 20); // the default max is raised to meet a larger min
});

test('every mistake names the file and the key', (t) => {
  const bad = (toml: string, message: RegExp) => {
    const dir = cellDir(toml);
    const err = t.throws(() => readCellToml(dir), { instanceOf: CellConfigError });
    t.regex(err?.message ?? '', message);
    t.true(err?.message.startsWith(join(dir, 'cell.toml')));
  };
  bad('name = "x"', /\[cell\] is missing/);
  bad('[cell]\nname = "Demo"', /\[cell\] name must be a lowercase name/);
  bad('[cell]\nname = "demo"\nnmae = 1', /\[cell\] nmae is not a known key/);
  bad('[cell]\nname = "demo"\nsource = "../x.ts"', /\[cell\] source must be inside the cell directory/);
  bad('[cell]\nname = "demo"\nsource = "gone.ts"', /\[cell\] source "gone.ts" does not exist/);
  bad('[cell]\nname = "other"', /\[cell\] source "other.ts" does not exist/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nin_bytes = 1e6', /\[cell.limits\] in_bytes must be an integer in 16..32768, got 1000000/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nout_bytes = 10', /out_bytes must be an integer in 64..2028/);
  // Issue #12 finding 10: exchange had out_bytes 4096, more than the kernel's 2,028-byte payload.
  bad('[cell]\nname = "demo"\n[cell.limits]\nout_bytes = 4096', /out_bytes must be an integer in 64..2028, got 4096/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nstack = 10', /\[cell.limits\] stack is not a known key \(in_bytes, out_bytes, memory\)/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nmemory = 2048', /\[cell.limits\] memory must be an integer in 4096..65536, got 2048/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nmemory = 131072', /memory must be an integer in 4096..65536, got 131072/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nmemory = "16 KiB"', /memory must be an integer in 4096..65536/);
  bad('[cell]\nname = "demo"\n[cell.limits]\nmemory = 10008', /\[cell.limits\] memory must be a multiple of 16 bytes .*got 10008/);
  bad('[cell]\nname = "demo"\n[cell.biology]\nmin_replica = 3', /\[cell.biology\] min_replica is not a known key/);
  bad('[cell]\nname = "demo"\n[cell.biology]\nmin_replicas = 0', /min_replicas must be an integer in 1..65535, got 0/);
  bad('[cell]\nname = "demo"\n[cell.biology]\nmin_replicas = 5\nmax_replicas = 2', /max_replicas \(2\) must be at least min_replicas \(5\)/);
  bad('[cell]\nname = "demo"\n[cell.biology]\ncpu_target = 60', /cpu_target must be a fraction in \(0, 1\]/);
  bad('[cell]\nname = "demo"\n[cell.biology]\ncpu_target = "fast"', /cpu_target must be a fraction/);
  bad('[cell\nname = "demo"', /not valid TOML: line 1/);
  t.throws(() => readCellToml(join(DIR, 'nowhere')), { message: /cell\.toml: not found/ });
});

test('appendCustomSection adds a section inspectWasm reads back', (t) => {
  const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const big = JSON.stringify({ pad: 'x'.repeat(300) }); // a size that needs a two-byte LEB128
  const wasm = appendCustomSection(empty, 'cell.schema', new TextEncoder().encode(big));
  t.deepEqual(inspectWasm(wasm).customSections, ['cell.schema']);
  t.deepEqual(inspectWasm(wasm).schema, JSON.parse(big));
  new WebAssembly.Module(wasm); // still a valid module
  t.throws(() => appendCustomSection(new Uint8Array(4), 'x', new Uint8Array()), { message: /not a WebAssembly module/ });
});
