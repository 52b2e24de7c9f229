// `cell flash` with signed spores (issue #14 scopes 3 + 4): a spore verified on the host (as `cell
// run` verifies it) is installed into the posix board's store and answers a call; every refused
// spore (tampered module, tampered manifest, wrong authority, revoked, expired, malformed, no
// --trust) exits non-zero with the check that failed, and the board's store file is unchanged
// byte for byte (no board is started). The same spore also goes into the emulated M4 (QEMU).
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { readCellToml } from '../host/build/cell-toml.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { generateAuthorityKey, hex, writeAuthorityKey, type AuthorityKey } from '../host/spore/authority-key.ts';
import { encodeManifest } from '../host/spore/manifest.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { decodeSporeFile, encodeSporeFile } from '../host/spore/spore-file.ts';
import { nowSeconds } from '../host/spore/verify-spore.ts';
import { builtFile } from './fixtures/built.ts';
import { echoOverSerial, echoSchema } from './fixtures/echo-call.ts';

const run = promisify(execFile);
const binary = Promise.resolve().then(() => buildPosixBoard());
const echo = builtFile('cells/echo.wasm');
const echoToml = readCellToml(join(REPO_ROOT, 'firmware', 'cells', 'echo'));
const dir = mkdtempSync(join(tmpdir(), 'cell-flash-spore-'));
const BOARD = 0xb0a2d002;

/** A signed echo spore, valid from an hour ago for a year unless told otherwise. */
function echoSpore(key: AuthorityKey, times: { issuedAt?: number; expiresAt?: number } = {}): Uint8Array {
  const issuedAt = times.issuedAt ?? nowSeconds() - 3600;
  return signSpore(
    { module: echo, schema: echoSchema.schema as Parameters<typeof signSpore>[0]['schema'], biology: echoToml.biology, limits: echoToml.limits },
    { key, issuedAt, expiresAt: times.expiresAt ?? issuedAt + 365 * 86400, revision: 1 },
  );
}

async function keyFile(name: string): Promise<{ key: AuthorityKey; pub: string }> {
  const key = generateAuthorityKey();
  const path = join(dir, `${name}.key`);
  await writeAuthorityKey(path, key);
  return { key, pub: `${path}.pub` };
}

function writeSpore(name: string, bytes: Uint8Array): string {
  const path = join(dir, `${name}.spore`);
  writeFileSync(path, bytes);
  return path;
}

const flash = (...args: string[]) => run(process.execPath, ['bin/cell.js', 'flash', '--board', 'posix', ...args], { cwd: REPO_ROOT, timeout: 120_000 });

test('a signed spore verified under --trust (or [trust] in --config) is installed into the posix board, which answers a call', async (t) => {
  await binary;
  const { key, pub } = await keyFile('good');
  const spore = writeSpore('echo-good', echoSpore(key));
  const store = join(dir, 'good-store.bin');
  const { stdout } = await flash('--store', store, '--trust', pub, '--json', '--', spore);
  const r = JSON.parse(stdout) as { modules: { name: string; slot: number; sha256: string; spore: { authority: string; trustedVia: string; hash: string } | null }[] };
  const echoHash = createHash('sha256').update(echo).digest('hex');
  t.deepEqual(r.modules.map((m) => m.name), ['kernel', 'echo'], 'the module is named by the signed manifest');
  t.is(r.modules[1]!.sha256, echoHash, 'the board stored the spore\'s module bytes and hashed them');
  t.is(r.modules[1]!.spore?.hash, echoHash, 'the manifest\'s module hash is what the board checked');
  t.is(r.modules[1]!.spore?.authority, hex(key.publicKey));
  t.is(r.modules[1]!.spore?.trustedVia, 'listed');
  t.is(r.modules[0]!.spore, null);
  t.true(Buffer.from(readFileSync(store)).includes(Buffer.from(echo)), 'the module\'s bytes are in the store file');

  // The board started afresh on that store runs the flashed echo.
  const board = spawn(await binary, ['--store', store, '--node', String(BOARD)], { stdio: ['pipe', 'pipe', 'pipe'] });
  board.stdin.on('error', () => {});
  try {
    t.deepEqual(await echoOverSerial(board.stdout, board.stdin, BOARD, 'from a spore'), { accepted: 0, delivered: 1 });
  } finally {
    board.stdin.end();
    board.kill();
  }

  // The same authority listed under [trust] in a node config instead of --trust; the text report names it.
  const config = join(dir, 'trust.toml');
  writeFileSync(config, `[trust]\nauthorities = ["${hex(key.publicKey)}"]\n`);
  const text = await flash('--store', join(dir, 'config-store.bin'), '--config', config, '-q', spore);
  t.regex(text.stdout, new RegExp(`slot 1 echo: ${echo.length} bytes, sha256 ${echoHash}`));
  t.regex(text.stdout, new RegExp(`signature verified here, authority ${hex(key.publicKey)} \\(listed\\)`));
});

test('every refused spore: non-zero exit naming the check, nothing sent, the board\'s store byte for byte as it was', async (t) => {
  await binary;
  const { key, pub } = await keyFile('author');
  const other = await keyFile('stranger');
  const store = join(dir, 'kept-store.bin');
  await flash('--store', store, '-q', 'echo'); // a board holding kernel + echo (local build outputs)
  const before = readFileSync(store);
  t.true(before.length > 0);

  const good = echoSpore(key);
  const moduleByte = good.slice();
  moduleByte[moduleByte.length - 1]! ^= 0x01; // the last byte of the module (its cell.schema section)
  const parts = decodeSporeFile(good);
  const revised = encodeSporeFile(encodeManifest({ ...parts.manifest, revision: 2 }), parts.signature, parts.module); // same signature, another field
  const now = nowSeconds();
  const revokedConfig = join(dir, 'revoked.toml');
  writeFileSync(revokedConfig, `[trust]\nrevoked = ["${hex(key.publicKey)}"]\n`);

  const cases: { name: string; spore: Uint8Array; args: string[]; reason: RegExp }[] = [
    { name: 'tampered-module', spore: moduleByte, args: ['--trust', pub], reason: /refused \(module-hash-mismatch\): the module's SHA-256 is [0-9a-f]{64}, the manifest says/ },
    { name: 'tampered-manifest', spore: revised, args: ['--trust', pub], reason: /refused \(bad-signature\): the manifest signature does not verify/ },
    { name: 'wrong-authority', spore: echoSpore(other.key), args: ['--trust', pub], reason: new RegExp(`refused \\(untrusted-authority\\): authority ${hex(other.key.publicKey)} is not trusted here: pass --trust`) },
    { name: 'revoked', spore: good, args: ['--trust', pub, '--config', revokedConfig], reason: /refused \(revoked-authority\): authority [0-9a-f]{64} is revoked/ },
    { name: 'expired', spore: echoSpore(key, { issuedAt: now - 3 * 86400, expiresAt: now - 86400 }), args: ['--trust', pub], reason: /refused \(expired\): expired at \d{4}-/ },
    { name: 'malformed', spore: good.subarray(0, good.length - 10), args: ['--trust', pub], reason: /refused \(malformed\): truncated: the module has/ },
    { name: 'no-trust', spore: good, args: [], reason: new RegExp(`refused \\(untrusted-authority\\): authority ${hex(key.publicKey)} is not trusted here: pass --trust ${hex(key.publicKey)}.*No --trust and no \\[trust\\] list were given: cell flash installs no spore without one`) },
  ];
  for (const c of cases) {
    const file = writeSpore(c.name, c.spore);
    // Beside a .wasm cell that is fine: the whole flash is refused, not just the spore.
    const err = await t.throwsAsync(flash('--store', store, ...c.args, '--', 'echo', file), undefined, c.name) as Error & { code?: number; stderr?: string };
    t.not(err.code, 0, c.name);
    t.regex(String(err.stderr), c.reason, c.name);
    t.regex(String(err.stderr), /Nothing was sent to the board\./, c.name);
    t.true(readFileSync(store).equals(before), `${c.name}: the store file is unchanged`);
  }
  // A refused spore does not even start a board: a store file named for it is never created.
  const unborn = join(dir, 'unborn-store.bin');
  await t.throwsAsync(flash('--store', unborn, '--trust', other.pub, writeSpore('unborn', good)));
  t.false(existsSync(unborn));
});

test('spore arguments: a missing file, and a .spore swallowed by the variadic --trust, get clear errors', async (t) => {
  const { pub } = await keyFile('args');
  const store = join(dir, 'args-store.bin');
  const missing = await t.throwsAsync(flash('--store', store, '--trust', pub, '--', join(dir, 'none.spore'))) as Error & { stderr?: string };
  t.regex(String(missing.stderr), /no spore .*none\.spore: the file does not exist/);
  const spore = writeSpore('swallowed', echoSpore(generateAuthorityKey()));
  const swallowed = await t.throwsAsync(flash('--store', store, '--trust', pub, spore)) as Error & { stderr?: string };
  t.regex(String(swallowed.stderr), /does not hold a public key .*put the \.spore before --trust, or end the keys with --/);
  t.false(existsSync(store));
});

test('qemu-mps2-an386: a signed spore verified on the host is flashed into the emulated M4, which checks its hash and reboots into it', async (t) => {
  const { key, pub } = await keyFile('qemu');
  const spore = writeSpore('echo-qemu', echoSpore(key));
  // A store file of its own: not the default one a user's board keeps (build/board/qemu-mps2-an386.store).
  const qemu = (...args: string[]) => run(process.execPath, ['bin/cell.js', 'flash', '--board', 'qemu-mps2-an386', '--store', join(dir, 'qemu.store'), ...args], { cwd: REPO_ROOT, timeout: 120_000 });
  const { stdout } = await qemu('--trust', pub, '--json', '--', spore);
  const r = JSON.parse(stdout) as { node: string; freeRamBytes: number | null; modules: { name: string; sha256: string; spore: { authority: string; hash: string } | null }[] };
  const echoHash = createHash('sha256').update(echo).digest('hex');
  t.deepEqual(r.modules.map((m) => m.name), ['kernel', 'echo']);
  t.is(r.modules[1]!.sha256, echoHash, 'the board hashed what it stored: the manifest\'s module');
  t.is(r.modules[1]!.spore?.authority, hex(key.publicKey));
  t.regex(r.node, /^[0-9a-f]{8}$/);
  t.true(r.freeRamBytes !== null && r.freeRamBytes > 0);
});
