// A node's config file (`cell run --config FILE`, TOML): [access] says who may call which species.
//
//   [access]
//   open = false          # true: also accept unauthenticated frames (a lab LAN only)
//   listed_only = true    # only the keys below may call (default: true when bound to a public address)
//   allow = [
//     { key = "<64 hex: an ed25519 public key>", species = ["kv", "exchange"] },
//     { key = "<64 hex>", species = ["*"] },
//   ]
//   serve = [             # whose replicas this node routes to: a species named here is taken only from these keys
//     { key = "<64 hex: the serving node's key>", species = ["kv"] },
//   ]
//
// Species are cell names (resolved against the cells the node hosts) or ids ("0x3ece1a39").
//
//   [trust]               # whose spores this node runs (docs/spores.md "Trust and key rotation")
//   authorities = ["<64 hex: an authority's ed25519 public key>"]
//   revoked = ["<64 hex>"]        # refused outright, with the successors they name
//   follow_successors = true      # trust a successor named by a trusted manifest (default)
import { parse } from 'smol-toml';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { MAX_ACCESS, MAX_SERVE } from '../wire/protocol-table.ts';

export interface AccessRule {
  publicKey: Uint8Array;
  /** Names or ids; '*' is any species. */
  species: Array<string | number>;
}

export interface NodeConfig {
  open: boolean;
  /** undefined: the default for the bind address (accessDefault). */
  listedOnly: boolean | undefined;
  allow: AccessRule[];
  /** Whose replicas of a species this node routes calls to (a species no row names: any authenticated node). */
  serve: AccessRule[];
  trust: TrustConfig;
}

/** Rows `[{ key, species }]` of access.<field>. */
function keyRows(rows: unknown, field: string, file: string): AccessRule[] {
  if (!Array.isArray(rows)) throw new Error(`${file}: access.${field} must be an array of { key, species }`);
  return rows.map((r, i): AccessRule => {
    const row = r as Record<string, unknown>;
    if (typeof row.key !== 'string' || !/^[0-9a-f]{64}$/i.test(row.key)) throw new Error(`${file}: access.${field}[${i}].key must be 64 hex digits (an ed25519 public key)`);
    const species = row.species ?? ['*'];
    if (!Array.isArray(species) || species.length === 0 || !species.every((s) => typeof s === 'string')) throw new Error(`${file}: access.${field}[${i}].species must be a list of cell names, ids or "*"`);
    return { publicKey: Uint8Array.from(Buffer.from(row.key, 'hex')), species: species as string[] };
  });
}

export interface TrustConfig {
  authorities: Uint8Array[];
  revoked: Uint8Array[];
  followSuccessors: boolean;
}

/** Keys a [trust] list may hold: a config is the operator's, but a cap keeps a typo from a 10^6-row table. */
export const MAX_TRUST_KEYS = 256;

function parseTrust(doc: Record<string, unknown>, file: string): TrustConfig {
  const trust = doc.trust ?? {};
  if (typeof trust !== 'object' || trust === null || Array.isArray(trust)) throw new Error(`${file}: [trust] must be a table`);
  const t = trust as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (!['authorities', 'revoked', 'follow_successors'].includes(k)) throw new Error(`${file}: unknown key trust.${k} (authorities, revoked, follow_successors)`);
  }
  const keys = (name: string): Uint8Array[] => {
    const v = t[name] ?? [];
    if (!Array.isArray(v) || v.length > MAX_TRUST_KEYS || !v.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/i.test(k))) {
      throw new Error(`${file}: trust.${name} must be a list of at most ${MAX_TRUST_KEYS} public keys, 64 hex digits each`);
    }
    return (v as string[]).map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
  };
  const follow = t.follow_successors ?? true;
  if (typeof follow !== 'boolean') throw new Error(`${file}: trust.follow_successors must be true or false`);
  return { authorities: keys('authorities'), revoked: keys('revoked'), followSuccessors: follow };
}

export function parseNodeConfig(text: string, file = 'node config'): NodeConfig {
  const doc = parse(text) as Record<string, unknown>;
  const access = (doc.access ?? {}) as Record<string, unknown>;
  if (typeof access !== 'object' || Array.isArray(access)) throw new Error(`${file}: [access] must be a table`);
  for (const k of Object.keys(access)) {
    if (!['open', 'listed_only', 'allow', 'serve'].includes(k)) throw new Error(`${file}: unknown key access.${k} (open, listed_only, allow, serve)`);
  }
  const open = access.open ?? false;
  if (typeof open !== 'boolean') throw new Error(`${file}: access.open must be true or false`);
  const listedOnly = access.listed_only;
  if (listedOnly !== undefined && typeof listedOnly !== 'boolean') throw new Error(`${file}: access.listed_only must be true or false`);
  return { open, listedOnly, allow: keyRows(access.allow ?? [], 'allow', file), serve: keyRows(access.serve ?? [], 'serve', file), trust: parseTrust(doc, file) };
}

export async function readNodeConfig(path: string): Promise<NodeConfig> {
  return parseNodeConfig(await readFile(path, 'utf8'), path);
}

/** Loopback, RFC 1918, link-local, CGNAT and IPv6 ULA/link-local addresses: reachable from a LAN at most. */
export function isPrivateAddress(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  if (v === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80');
  }
  return false;
}

/**
 * The kernel's access list: each (key, species) row with names resolved by `speciesOf`. listed_only
 * defaults to true for a node bound to a public (or wildcard) address: strangers on the internet
 * get NOT_AUTHORISED unless their key is listed.
 */
export function accessRows(cfg: NodeConfig, bindHost: string, speciesOf: (name: string) => number): { listedOnly: boolean; rows: KeySpeciesRow[] } {
  return { listedOnly: cfg.listedOnly ?? !isPrivateAddress(bindHost), rows: resolveRows(cfg.allow, 'allow', MAX_ACCESS, speciesOf) };
}

/** The kernel's serve list: each (key, species) row of access.serve with names resolved by `speciesOf`. */
export function serveRows(cfg: NodeConfig, speciesOf: (name: string) => number): KeySpeciesRow[] {
  return resolveRows(cfg.serve, 'serve', MAX_SERVE, speciesOf);
}

export interface KeySpeciesRow { publicKey: Uint8Array; species: number }

function resolveRows(rules: AccessRule[], field: string, cap: number, speciesOf: (name: string) => number): KeySpeciesRow[] {
  const rows = rules.flatMap((r) => r.species.map((s) => ({ publicKey: r.publicKey, species: s === '*' ? 0 : typeof s === 'number' ? s : /^0x[0-9a-f]{1,8}$/i.test(s) ? Number.parseInt(s, 16) : speciesOf(s) })));
  if (rows.length > cap) throw new Error(`access.${field} lists ${rows.length} (key, species) pairs; the kernel holds ${cap}`);
  return rows;
}
