// The node config file's [access] table (host/runtime/node-config.ts): who may call which species,
// whose replicas this node routes to, and the default for a node reachable from the internet.
import test from 'ava';
import fc from 'fast-check';
import { parseNodeConfig, accessRows, serveRows, isPrivateAddress } from '../host/runtime/node-config.ts';
import { MAX_ACCESS } from '../host/wire/protocol-table.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const speciesOf = (name: string) => ({ kv: 0x3ece1a39, echo: 0x67ced2b5 })[name] ?? (() => { throw new Error(`unknown ${name}`); })();

test('[access]: allow and serve rows with names, ids and "*"; listed_only defaults to true on a public or wildcard address', (t) => {
  const cfg = parseNodeConfig(`
[access]
allow = [ { key = "${A}", species = ["kv", "0x67ced2b5"] }, { key = "${B}" } ]
serve = [ { key = "${B}", species = ["kv"] } ]
`);
  t.false(cfg.open);
  const rows = accessRows(cfg, '127.0.0.1', speciesOf);
  t.false(rows.listedOnly, 'a loopback node lets any authenticated peer call unless told otherwise');
  t.deepEqual(rows.rows.map((r) => [Buffer.from(r.publicKey).toString('hex'), r.species]), [[A, 0x3ece1a39], [A, 0x67ced2b5], [B, 0]]);
  t.true(accessRows(cfg, '0.0.0.0', speciesOf).listedOnly);
  t.true(accessRows(cfg, '203.0.113.7', speciesOf).listedOnly);
  t.false(accessRows(parseNodeConfig('[access]\nlisted_only = false\n'), '203.0.113.7', speciesOf).listedOnly);
  t.deepEqual(serveRows(cfg, speciesOf).map((r) => [Buffer.from(r.publicKey).toString('hex'), r.species]), [[B, 0x3ece1a39]]);
  t.deepEqual(parseNodeConfig('').serve, []);
});

test('[access]: every malformed entry is a clear error naming the file and the key', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['access = 3', /\[access\] must be a table/],
    ['[access]\nopen = "yes"', /access.open must be true or false/],
    ['[access]\nlisted_only = 1', /access.listed_only must be true or false/],
    ['[access]\nallow = "x"', /access.allow must be an array/],
    ['[access]\nserve = [ { key = "abc" } ]', /access.serve\[0\].key must be 64 hex digits/],
    [`[access]\nserve = [ { key = "${A}", species = [] } ]`, /access.serve\[0\].species must be a list/],
    ['[access]\ntrust = []', /unknown key access.trust \(open, listed_only, allow, serve\)/],
  ];
  for (const [text, message] of bad) t.throws(() => parseNodeConfig(text, 'node.toml'), { message }, text);
  t.throws(() => serveRows(parseNodeConfig(`[access]\nserve = [ { key = "${A}", species = ["nope"] } ]`), speciesOf), { message: /unknown nope/ });
  const many = `[access]\nallow = [ ${Array.from({ length: MAX_ACCESS + 1 }, () => `{ key = "${A}", species = ["kv"] }`).join(', ')} ]`;
  t.throws(() => accessRows(parseNodeConfig(many), '127.0.0.1', speciesOf), { message: /lists 33 \(key, species\) pairs; the kernel holds 32/ });
});

test('isPrivateAddress: loopback, RFC 1918, link-local, CGNAT and ULA are private; the rest are not', (t) => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.0.9', '100.64.0.1', '::1', 'fd00::2', 'fe80::1', 'localhost']) t.true(isPrivateAddress(a), a);
  for (const a of ['0.0.0.0', '::', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:db8::1', 'example.com']) t.false(isPrivateAddress(a), a);
});

test('[access] (property): any TOML document parses to a config or a clear error, never a crash', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseNodeConfig(`[access]\n${text}`);
      } catch (err) {
        return err instanceof Error && err.message.length > 0;
      }
      return true;
    }),
    { numRuns: 400 },
  );
  t.pass();
});
