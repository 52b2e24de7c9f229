// An authority's ed25519 key (docs/spores.md "Keys"): the secret key file is the RFC 8032 32-byte
// seed as 64 hex digits and a newline, mode 0600 (the node key's format, host/identity); the
// public key file beside it (`FILE.pub`) is the 32-byte public key as 64 hex digits and a newline.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { publicKeyOf } from '../identity/node-identity.ts';

export interface AuthorityKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

const HEX_KEY = /^[0-9a-f]{64}$/i;

export function generateAuthorityKey(): AuthorityKey {
  const secretKey = new Uint8Array(randomBytes(32));
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

export const publicKeyFileOf = (secretPath: string): string => `${secretPath}.pub`;

/** Writes the secret key (0600) and FILE.pub; refuses to replace either unless `force`. */
export async function writeAuthorityKey(path: string, key: AuthorityKey, opts: { force?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const flag = opts.force ? 'w' : 'wx';
  try {
    await writeFile(path, `${hex(key.secretKey)}\n`, { mode: 0o600, flag });
    await writeFile(publicKeyFileOf(path), `${hex(key.publicKey)}\n`, { mode: 0o644, flag });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${(err as NodeJS.ErrnoException).path ?? path} exists: not replacing a key (pass --force to overwrite it, and lose the old key)`);
    throw err;
  }
}

/** The key in a secret key file; refuses a file others can read, as ssh does. */
export async function readAuthorityKey(path: string): Promise<AuthorityKey> {
  const st = await stat(path);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw new Error(`${path}: an authority secret key must be readable by its owner only (chmod 600 ${path})`);
  const text = (await readFile(path, 'utf8')).trim();
  if (!HEX_KEY.test(text)) throw new Error(`${path}: not an authority secret key (64 hex digits, as \`cell keygen\` writes)`);
  const secretKey = Uint8Array.from(Buffer.from(text, 'hex'));
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** A public key given on the command line or in a config: 64 hex digits, or a file holding them (FILE.pub). */
export async function parsePublicKeyArg(arg: string): Promise<Uint8Array> {
  if (HEX_KEY.test(arg)) return Uint8Array.from(Buffer.from(arg, 'hex'));
  let text: string;
  try {
    text = (await readFile(arg, 'utf8')).trim();
  } catch {
    throw new Error(`"${arg}" is neither a public key (64 hex digits) nor a readable key file`);
  }
  // --trust takes every argument after it, so a spore named after the keys lands here.
  const misplaced = arg.endsWith('.spore') ? ' (--trust takes every argument after it: put the .spore before --trust, or end the keys with --)' : '';
  if (!HEX_KEY.test(text)) throw new Error(`${arg}: does not hold a public key (64 hex digits, as in the FILE.pub that \`cell keygen\` writes)${misplaced}`);
  // A secret key file has the same shape; trusting its bytes as a public key would trust nobody.
  if (await stat(publicKeyFileOf(arg)).then(() => true, () => false)) throw new Error(`${arg} is a secret key file (${publicKeyFileOf(arg)} is beside it): pass the public key, ${publicKeyFileOf(arg)}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
