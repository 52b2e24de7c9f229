// The protocol table (docs/protocol.toml) against everything that repeats it: the generated
// AssemblyScript and TypeScript modules, the kernels `npm run build` wrote (k_protocol), the
// memory in asconfig.json, and the marked tables of docs/wire.md and docs/abi.md. Every check
// compares names and values, so a constant changed on one side only fails here.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProtocolTable, protocolSources, readProtocolTable, type ProtocolGroup } from '../host/build/generate-protocol.ts';
import { BUILD_DIR, kernelPath, REPO_ROOT } from '../host/build/paths.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { PROTOCOL_ROWS } from '../host/wire/protocol-table.ts';

const groups = readProtocolTable();
const tableRows = groups.flatMap((g) => g.rows.map((r) => ({ group: g.key, asName: r.asName, hostName: r.hostName, value: r.value })));
const pagesOf = (name: string) => tableRows.find((r) => r.group === 'memory' && r.asName === name)!.value;
const TARGET_PAGES = { mcu: pagesOf('MCU_PAGES'), host: pagesOf('HOST_PAGES') } as const;

test('the committed generated modules are what the generator writes from the table now', (t) => {
  for (const { path, text } of protocolSources(groups)) {
    t.is(readFileSync(path, 'utf8'), text, `${path} differs from docs/protocol.toml: run npm run build`);
  }
});

test("the host module's values, read through its consts and enums, are the table's, row by row", (t) => {
  t.deepEqual(PROTOCOL_ROWS.map((r) => ({ ...r })), tableRows);
});

for (const target of ['mcu', 'host'] as const) {
  test(`the ${target} kernel in build/ was compiled with the host's table, name by name`, async (t) => {
    const wasm = readFileSync(kernelPath(target, BUILD_DIR));
    const k = KernelInstance.instantiate(await KernelInstance.compile(wasm), {
      send: () => {},
      now: () => 0,
      random: () => 0,
      cellCall: () => 0,
      deliver: () => {},
    });
    const kernel = PROTOCOL_ROWS.map((r, i) => ({ name: r.asName, value: k.protocolValue(i) }));
    t.deepEqual(kernel, PROTOCOL_ROWS.map((r) => ({ name: r.asName, value: r.value })));
    t.true(Number.isNaN(k.protocolValue(PROTOCOL_ROWS.length)), 'the kernel has more rows than the host');
    t.true(Number.isNaN(k.protocolValue(-1)));
  });

  test(`the ${target} kernel's memory and asconfig.json are the table's ${target} pages`, async (t) => {
    const wasm = readFileSync(kernelPath(target, BUILD_DIR));
    const instance = await WebAssembly.instantiate(wasm, { hal: new Proxy({}, { get: () => () => 0 }) });
    t.is((instance.instance.exports.memory as WebAssembly.Memory).buffer.byteLength, TARGET_PAGES[target] * 65536);
    const asconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'asconfig.json'), 'utf8')) as { targets: Record<string, { initialMemory: number; maximumMemory: number }> };
    t.deepEqual([asconfig.targets[target]!.initialMemory, asconfig.targets[target]!.maximumMemory], [TARGET_PAGES[target], TARGET_PAGES[target]]);
  });
}

/** The rows [name, value] of the markdown table after `<!-- protocol: key -->`. */
function docTable(markdown: string, key: string): Array<[string, number]> | undefined {
  const lines = markdown.split('\n');
  const at = lines.indexOf(`<!-- protocol: ${key} -->`);
  if (at < 0) return undefined;
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const head = cells(lines[at + 1] ?? '');
  const nameCol = head.indexOf('name');
  const valueCol = head.indexOf('value');
  if (nameCol < 0 || valueCol < 0) throw new Error(`the table after <!-- protocol: ${key} --> needs "name" and "value" columns`);
  const rows: Array<[string, number]> = [];
  for (let i = at + 3; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const c = cells(lines[i]!);
    rows.push([c[nameCol]!.replace(/`/g, ''), Number(c[valueCol]!.replace(/`/g, ''))]);
  }
  return rows;
}

const docGroups = groups.filter((g): g is ProtocolGroup & { doc: string } => g.doc !== undefined);
for (const doc of [...new Set(docGroups.map((g) => g.doc))]) {
  test(`${doc}: every marked table lists exactly its group's names and values`, (t) => {
    const markdown = readFileSync(join(REPO_ROOT, doc), 'utf8');
    for (const g of docGroups.filter((d) => d.doc === doc)) {
      t.deepEqual(docTable(markdown, g.key), g.rows.map((r) => [r.hostName, r.value]), `<!-- protocol: ${g.key} --> in ${doc}`);
    }
    // A marker for a group that does not say it lives here would be checked against nothing.
    const markers = [...markdown.matchAll(/^<!-- protocol: (\w+) -->$/gm)].map((m) => m[1]);
    t.deepEqual(markers.sort(), docGroups.filter((d) => d.doc === doc).map((g) => g.key).sort());
  });
}

test('the parser refuses a table that cannot generate both sides faithfully', (t) => {
  const group = (rows: string, extra = '') => `[g]\nmeaning = "m"\nas_prefix = "G_"\nas_type = "i32"\nts = "enum"\nts_name = "G"\n${extra}${rows}`;
  t.notThrows(() => parseProtocolTable(group('A = { value = 1, meaning = "a" }\n')));
  t.throws(() => parseProtocolTable(group('A = { value = -1, meaning = "a" }\n')), { message: /value/ });
  t.throws(() => parseProtocolTable(group('A = { value = 4294967296, meaning = "a" }\n')), { message: /value/ });
  t.throws(() => parseProtocolTable(group('a = { value = 1, meaning = "a" }\n')), { message: /SNAKE_CASE/ });
  t.throws(() => parseProtocolTable(group('A = { value = 1, meaning = "a */ b" }\n')), { message: /one line/ });
  t.throws(() => parseProtocolTable(group('A = { value = 1, meaning = "a" }\nB = { value = 0, meaning = "b" }\n', 'as_count = "G_COUNT"\n')), { message: /0\.\.n-1/ });
  t.throws(() => parseProtocolTable(group('A = { value = 1, meaning = "a" }\n') + '\n' + group('A = { value = 2, meaning = "a" }\n').replace('[g]', '[h]')), { message: /twice/ });
});

test('within each group the host names, like the table names, are distinct', (t) => {
  for (const g of groups) t.is(new Set(g.rows.map((r) => r.hostName)).size, g.rows.length, g.key);
});

test('the SPAWN answer counters follow the SPAWN reasons in order (the kernel counts an answer as spawnAccepted + reason)', (t) => {
  const value = (asName: string) => PROTOCOL_ROWS.find((r) => r.asName === asName)?.value;
  const pairs: Array<[string, string]> = [['SPAWN_OK', 'S_SPAWN_ACCEPTED'], ['SPAWN_UNTRUSTED', 'S_SPAWN_REFUSED_UNTRUSTED'], ['SPAWN_NO_ROOM', 'S_SPAWN_REFUSED_NO_ROOM'],
    ['SPAWN_OVER_CPU', 'S_SPAWN_REFUSED_CPU'], ['SPAWN_HOSTS_IT', 'S_SPAWN_REFUSED_HOSTS_IT'], ['SPAWN_BUSY', 'S_SPAWN_REFUSED_BUSY']];
  const base = value('S_SPAWN_ACCEPTED');
  t.is(typeof base, 'number');
  for (const [reason, stat] of pairs) t.is(value(stat), base! + value(reason)!, `${stat} = SPAWN_ACCEPTED + ${reason}`);
});
