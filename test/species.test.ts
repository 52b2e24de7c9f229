import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { parseCell } from '../host/sdk/parse-cell.ts';
import { canonicalSchemaJson, SCALAR_TYPES, SchemaError, validateSchema, type CellSchema, type SchemaField, type SchemaType } from '../host/sdk/schema.ts';
import { speciesHex, speciesIdFromDigest, speciesIdOf } from '../host/sdk/species.ts';

const fixture = (dir: string, name: string) => parseCell(join(REPO_ROOT, 'test/fixtures/cells', dir, `${name}.ts`), { name }).schema;

// ---- arbitraries: valid schemas ----

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const structName = fc.stringMatching(/^[A-Z][a-z]{0,5}$/);

const typeArb = (structs: string[]): fc.Arbitrary<SchemaType> =>
  fc.letrec<{ t: SchemaType }>((tie) => ({
    t: fc.oneof(
      { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
      fc.constantFrom(...SCALAR_TYPES),
      fc.record({ array: tie('t') }),
      // T | null | null is not a schema type (validateSchema rejects it).
      fc.record({ nullable: tie('t').filter((x) => typeof x !== 'object' || !('nullable' in x)) }),
      structs.length > 0 ? fc.constantFrom(...structs).map((s) => ({ struct: s })) : fc.constantFrom(...SCALAR_TYPES),
    ),
  })).t;

const fieldsArb = (structs: string[]): fc.Arbitrary<SchemaField[]> =>
  fc.uniqueArray(fc.record({ name: ident, type: typeArb(structs) }), { selector: (f) => f.name, maxLength: 4 });

const schemaArb: fc.Arbitrary<CellSchema> = fc.uniqueArray(structName, { maxLength: 3 }).chain((structs) =>
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    methods: fc.uniqueArray(
      fc.record({ name: ident, params: fieldsArb(structs), result: fc.oneof(fc.constant('void' as const), typeArb(structs)) }),
      { selector: (m) => m.name, minLength: 1, maxLength: 5 },
    ),
    types: fc.tuple(...structs.map(() => fieldsArb(structs))).map((fs) => Object.fromEntries(structs.map((s, i) => [s, { fields: fs[i] }]))),
  }),
);

/** A deep copy with every object's keys in a pseudo-random order (arrays keep theirs: they are positional). */
function shuffleKeys(v: unknown, seed: number): unknown {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const go = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(go);
    if (x !== null && typeof x === 'object') {
      const keys = Object.keys(x);
      for (let i = keys.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [keys[i], keys[j]] = [keys[j], keys[i]];
      }
      return Object.fromEntries(keys.map((k) => [k, go((x as Record<string, unknown>)[k])]));
    }
    return x;
  };
  return go(v);
}

const MUTATIONS = [
  'rename service', 'rename method', 'swap methods', 'change param type', 'add param', 'drop param',
  'rename param', 'change result', 'add method', 'add field', 'change field type', 'swap params',
] as const;

/** One schema edit; may turn out to be a no-op (e.g. a type replaced by itself). Returns null if not applicable. */
function mutate(schema: CellSchema, which: number, pick: number, newType: SchemaType): CellSchema | null {
  const s = structuredClone(schema);
  const methods = s.methods;
  const m = methods[pick % methods.length];
  const structs = Object.keys(s.types);
  const fresh = (taken: string[], base: string) => (taken.includes(`${base}_x`) ? null : `${base}_x`);
  switch (MUTATIONS[which % MUTATIONS.length]) {
    case 'rename service': s.name = s.name.length < 60 ? `${s.name}x` : 'other'; break;
    case 'rename method': {
      const n = fresh(methods.map((x) => x.name), m.name);
      if (!n) return null;
      m.name = n;
      break;
    }
    case 'swap methods': {
      if (methods.length < 2) return null;
      const i = pick % methods.length;
      const j = (i + 1) % methods.length;
      [methods[i], methods[j]] = [methods[j], methods[i]];
      break;
    }
    case 'change param type': {
      if (m.params.length === 0) return null;
      m.params[pick % m.params.length].type = newType;
      break;
    }
    case 'add param': {
      const n = fresh(m.params.map((p) => p.name), 'p');
      if (!n) return null;
      m.params.splice(pick % (m.params.length + 1), 0, { name: n, type: newType });
      break;
    }
    case 'drop param': {
      if (m.params.length === 0) return null;
      m.params.splice(pick % m.params.length, 1);
      break;
    }
    case 'rename param': {
      if (m.params.length === 0) return null;
      const p = m.params[pick % m.params.length];
      const n = fresh(m.params.map((x) => x.name), p.name);
      if (!n) return null;
      p.name = n;
      break;
    }
    case 'swap params': {
      if (m.params.length < 2) return null;
      const i = pick % m.params.length;
      const j = (i + 1) % m.params.length;
      [m.params[i], m.params[j]] = [m.params[j], m.params[i]];
      break;
    }
    case 'change result': m.result = pick % 5 === 0 ? 'void' : newType; break;
    case 'add method': {
      const n = fresh(methods.map((x) => x.name), 'm');
      if (!n) return null;
      methods.push({ name: n, params: [], result: 'void' });
      break;
    }
    case 'add field': {
      if (structs.length === 0) return null;
      const st = s.types[structs[pick % structs.length]];
      const n = fresh(st.fields.map((f) => f.name), 'f');
      if (!n) return null;
      st.fields.push({ name: n, type: newType });
      break;
    }
    case 'change field type': {
      if (structs.length === 0) return null;
      const st = s.types[structs[pick % structs.length]];
      if (st.fields.length === 0) return null;
      st.fields[pick % st.fields.length].type = newType;
      break;
    }
  }
  return s;
}

test('users v1 (email: string) and v2 (emails: string[]) are different species', (t) => {
  const v1 = fixture('users-v1', 'users');
  const v2 = fixture('users-v2', 'users');
  t.deepEqual(v1.methods[0].params, [{ name: 'email', type: 'string' }]);
  t.deepEqual(v2.methods[0].params, [{ name: 'emails', type: { array: 'string' } }]);
  t.not(speciesIdOf(v1), speciesIdOf(v2));
  // Same service, same method names: the id is all that tells the two apart on the wire.
  t.is(v1.name, v2.name);
});

test('the id is stable under object key order, and the canonical JSON has sorted keys and no whitespace', (t) => {
  fc.assert(
    fc.property(schemaArb, fc.integer(), (schema, seed) => {
      validateSchema(schema);
      const shuffled = shuffleKeys(schema, seed) as CellSchema;
      const json = canonicalSchemaJson(schema);
      t.is(canonicalSchemaJson(shuffled), json);
      t.is(speciesIdOf(shuffled), speciesIdOf(schema));
      t.false(/\s/.test(json.replace(/"[^"]*"/g, '')));
      t.deepEqual(JSON.parse(json), schema);
    }),
    { numRuns: 200 },
  );
});

test('the id changes iff the canonical schema changes', (t) => {
  let changed = 0;
  fc.assert(
    fc.property(
      schemaArb.chain((s) => fc.tuple(fc.constant(s), fc.nat(), fc.nat(), typeArb(Object.keys(s.types)))),
      ([schema, which, pick, newType]) => {
        const mutated = mutate(schema, which, pick, newType);
        fc.pre(mutated !== null);
        const same = canonicalSchemaJson(mutated!) === canonicalSchemaJson(schema);
        if (!same) changed++;
        return same === (speciesIdOf(mutated!) === speciesIdOf(schema));
      },
    ),
    { numRuns: 300 },
  );
  t.true(changed > 150, `only ${changed} of the mutations changed the schema`);
});

test('ids are u32 values outside the reserved ones', (t) => {
  fc.assert(
    fc.property(schemaArb, (schema) => {
      const id = speciesIdOf(schema);
      return Number.isInteger(id) && id > 0 && id < 0xffffffff;
    }),
    { numRuns: 200 },
  );
  t.is(speciesIdFromDigest(new Uint8Array(32)), 1);
  t.is(speciesIdFromDigest(new Uint8Array(32).fill(0xff)), 0xfffffffe);
  t.is(speciesIdFromDigest(Uint8Array.from([0x78, 0x56, 0x34, 0x12, 0xaa])), 0x12345678); // little-endian
  t.is(speciesHex(0x12ab), '0x000012ab');
  t.is(speciesHex(0xfffffffe), '0xfffffffe');
  t.throws(() => speciesHex(2 ** 32), { instanceOf: RangeError });
});

test('malformed schemas are rejected with the path of the problem', (t) => {
  const ok: CellSchema = { name: 'x', methods: [{ name: 'm', params: [], result: 'void' }], types: {} };
  const bad = (patch: (s: any) => void, message: RegExp) => {
    const s: any = structuredClone(ok);
    patch(s);
    t.throws(() => canonicalSchemaJson(s), { instanceOf: SchemaError, message });
  };
  bad((s) => { s.extra = 1; }, /schema: unexpected key "extra"/);
  bad((s) => { s.name = 'Bad Name'; }, /schema\.name must match/);
  bad((s) => { s.methods[0].result = 'int'; }, /schema\.methods\[0\]\.result: unknown type "int"/);
  bad((s) => { s.methods[0].params = [{ name: 'a', type: { struct: 'Nope' } }]; }, /struct "Nope" is not defined/);
  bad((s) => { s.methods.push(s.methods[0]); }, /duplicate method name m/);
  bad((s) => { s.methods[0].params = [{ name: 'a', type: { nullable: { nullable: 'u8' } } }]; }, /nullable of nullable/);
  bad((s) => { s.methods[0].params = [{ name: 'a', type: { array: 'u8', nullable: 'u8' } }]; }, /exactly one of array, nullable, struct/);
});

test('docs/species.md shows the exchange cell\'s real species id', (t) => {
  const schema = parseCell(join(REPO_ROOT, 'firmware/cells/exchange/exchange.ts'), { name: 'exchange' }).schema;
  const doc = readFileSync(join(REPO_ROOT, 'docs/species.md'), 'utf8');
  t.true(doc.includes(speciesHex(speciesIdOf(schema))), `docs/species.md should mention ${speciesHex(speciesIdOf(schema))}`);
  t.true(doc.includes(canonicalSchemaJson(schema)), 'docs/species.md should show the canonical JSON of the exchange cell');
});
