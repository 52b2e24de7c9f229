import test from 'ava';
import { join } from 'node:path';
import { REPO_ROOT } from '../host/build/paths.ts';
import { CellParseError, parseCell, type ParsedCell } from '../host/sdk/parse-cell.ts';
import type { SchemaType } from '../host/sdk/schema.ts';

const parse = (text: string, name = 'demo'): ParsedCell => parseCell('demo.ts', { name, text });

/** A one-handler cell whose parameter has type `t`. */
const withParam = (t: string, extra = '') => `${extra}
/** @cell */
export class Demo {
  take(v: ${t}): void {}
}
`;

test('the exchange cell parses to the expected schema', (t) => {
  const cell = parseCell(join(REPO_ROOT, 'firmware/cells/exchange/exchange.ts'), { name: 'exchange' });
  t.is(cell.className, 'Exchange');
  t.deepEqual(cell.schema, {
    name: 'exchange',
    methods: [
      { name: 'place_order', params: [{ name: 'symbol', type: 'string' }, { name: 'amount', type: 'u64' }], result: 'u64' },
      { name: 'cancel', params: [{ name: 'id', type: 'u64' }], result: 'bool' },
      { name: 'book', params: [{ name: 'symbol', type: 'string' }], result: { array: { struct: 'Order' } } },
    ],
    types: {
      Order: { fields: [{ name: 'id', type: 'u64' }, { name: 'symbol', type: 'string' }, { name: 'amount', type: 'u64' }] },
    },
  });
});

test('every supported type maps to its schema type', (t) => {
  const cases: Array<[string, SchemaType]> = [
    ['bool', 'bool'], ['boolean', 'bool'],
    ['i8', 'i8'], ['u8', 'u8'], ['i16', 'i16'], ['u16', 'u16'], ['i32', 'i32'], ['u32', 'u32'],
    ['i64', 'i64'], ['u64', 'u64'], ['f32', 'f32'], ['f64', 'f64'],
    ['string', 'string'], ['Uint8Array', 'bytes'],
    ['u32[]', { array: 'u32' }], ['Array<string>', { array: 'string' }], ['StaticArray<f64>', { array: 'f64' }],
    ['string | null', { nullable: 'string' }], ['null | Uint8Array', { nullable: 'bytes' }],
    ['Array<string | null>', { array: { nullable: 'string' } }], ['(string | null)[]', { array: { nullable: 'string' } }],
    ['i64[][]', { array: { array: 'i64' } }], ['u8[] | null', { nullable: { array: 'u8' } }],
  ];
  for (const [as, expected] of cases) {
    t.deepEqual(parse(withParam(as)).schema.methods[0].params[0].type, expected, as);
  }
  // Array and StaticArray are the same on the wire but not to the dispatcher.
  const arr = parse(withParam('StaticArray<u8>')).methods[0].params[0].type;
  t.deepEqual(arr, { kind: 'array', element: { kind: 'scalar', name: 'u8' }, container: 'StaticArray' });
});

test('structs: fields in declaration order, only reachable ones, recursion allowed', (t) => {
  const cell = parse(`
export class Unused { a: i32 = 0; }
export class Item { name: string = ""; qty: u16 = 0; static count: i32 = 0; total(): i32 { return 0; } }
export class Bag { items: Item[] = []; owner: string | null = null; next: Bag | null = null; }
/** @cell */
export class Demo {
  fill(bag: Bag): Item | null { return null; }
}
`);
  t.deepEqual(Object.keys(cell.schema.types), ['Item', 'Bag']);
  t.deepEqual(cell.schema.types.Item.fields, [{ name: 'name', type: 'string' }, { name: 'qty', type: 'u16' }]);
  t.deepEqual(cell.schema.types.Bag.fields, [
    { name: 'items', type: { array: { struct: 'Item' } } },
    { name: 'owner', type: { nullable: 'string' } },
    { name: 'next', type: { nullable: { struct: 'Bag' } } },
  ]);
  t.deepEqual(cell.schema.methods[0].result, { nullable: { struct: 'Item' } });
});

test('handlers are the public instance methods, in source order', (t) => {
  const cell = parse(`
/** @cell */
export class Demo {
  private state: i32 = 0;
  constructor() {}
  zeta(): void {}
  private hidden(): void {}
  protected guarded(): void {}
  _internal(): void {}
  static make(): Demo { return new Demo(); }
  get value(): i32 { return 0; }
  public alpha(x: i32): i32 { return x; }
  mid(): string { return ""; }
}
`);
  t.deepEqual(cell.schema.methods.map((m) => m.name), ['zeta', 'alpha', 'mid']);
  t.is(cell.schema.methods[0].result, 'void');
  t.deepEqual(cell.methods.map((m) => m.line), [6, 12, 13]);
});

test('the service name comes from cell.toml, else the file name', (t) => {
  t.is(parse(withParam('i32'), 'billing').schema.name, 'billing');
  t.is(parseCell('/x/echo.ts', { text: withParam('i32') }).schema.name, 'echo');
});

/** Asserts that parsing fails with a CellParseError at `line` whose message matches `message`. */
function rejects(t: import('ava').ExecutionContext, text: string, line: number, message: RegExp): void {
  const err = t.throws(() => parse(text), { instanceOf: CellParseError });
  t.is(err?.line, line, err?.message);
  t.regex(err?.message ?? '', message);
  t.regex(err?.message ?? '', new RegExp(`^demo\\.ts:${line}:\\d+: `));
}

test('unsupported types name the method, the parameter, the type and the line', (t) => {
  rejects(t, withParam('number'), 4, /method take, parameter v: unsupported type `number` \(AssemblyScript `number` is f64/);
  rejects(t, withParam('usize'), 4, /parameter v: unsupported type `usize` \(its width depends on the target/);
  rejects(t, withParam('Map<string, i32>'), 4, /parameter v: unsupported type `Map<string, i32>` \(use an array of a struct\)/);
  rejects(t, withParam('i32 | null'), 4, /unsupported type `i32 \| null` \(i32 is a value type and cannot be null/);
  rejects(t, withParam('string | i32'), 4, /the only union a schema knows is `T \| null`/);
  rejects(t, withParam('Widget'), 4, /unsupported type `Widget` \(not a schema type, and no struct class Widget is declared in this file\)/);
  rejects(t, withParam('Float32Array'), 4, /unsupported type `Float32Array`/);
  rejects(t, `/** @cell */
export class Demo {
  ok(): void {}
  make(): Demo { return this; }
}
`, 4, /method make, return type: the @cell class Demo cannot be a value type/);
  rejects(t, `/** @cell */
export class Demo {

  sum(a: i32, b: number[]): i32 { return a; }
}
`, 4, /method sum, parameter b: unsupported type `number`/);
});

test('handler shapes the wire cannot carry are rejected', (t) => {
  const one = (member: string) => `/** @cell */\nexport class Demo {\n  ${member}\n}\n`;
  rejects(t, one('go(x: i32 = 1): void {}'), 3, /parameter x: optional and default parameters are not supported/);
  rejects(t, one('go(x?: string): void {}'), 3, /parameter x: optional and default parameters are not supported/);
  rejects(t, one('go(...xs: i32[]): void {}'), 3, /parameter xs: rest parameters are not supported/);
  rejects(t, one('go(x): void {}'), 3, /parameter x: missing type annotation/);
  rejects(t, one('go(x: i32) { }'), 3, /method go: missing return type annotation/);
  rejects(t, one('then(x: i32): void {}'), 3, /cannot be named then/);
  rejects(t, one('go<T>(x: T): void {}'), 3, /generic handlers are not supported/);
  rejects(t, one('go(): void'), 3, /overload signatures are not supported/);
  rejects(t, one('go(x: void): void {}'), 3, /void is only allowed as a return type/);
  rejects(t, one('private x: i32 = 0;'), 2, /has no public methods/);
});

test('struct problems are reported at the struct', (t) => {
  const cell = (struct: string) => `${struct}\n/** @cell */\nexport class Demo {\n  go(s: S): void {}\n}\n`;
  rejects(t, cell('class S { a: i32 = 0; }'), 1, /struct S \(used by method go, parameter s\) must be exported/);
  rejects(t, cell('export class S {\n  private a: i32 = 0;\n}'), 2, /struct S: field a is not public/);
  rejects(t, cell('export class S {\n  a = 0;\n}'), 2, /struct S: field a needs a type annotation/);
  rejects(t, cell('export class S {\n  a: number = 0;\n}'), 2, /struct S, field a: unsupported type `number`/);
  rejects(t, cell('export class S extends Object {}'), 1, /structs cannot extend/);
  rejects(t, cell('export class S {\n  constructor(public a: i32) {}\n}'), 2, /constructor parameter properties are not supported/);
});

test('exactly one exported @cell class', (t) => {
  const err = t.throws(() => parse('export class A { go(): void {} }'), { instanceOf: CellParseError });
  t.regex(err?.message ?? '', /^demo\.ts:1:1: no class tagged \/\*\* @cell \*\//);
  rejects(t, '/** @cell */\nexport class A { go(): void {} }\n/** @cell */\nexport class B { go(): void {} }\n', 4,
    /several classes tagged @cell: A \(line 2\), B \(line 4\)/);
  rejects(t, '/** @cell */\nclass A { go(): void {} }\n', 2, /@cell class A must be exported/);
  rejects(t, '/** @cell */\nexport default class A { go(): void {} }\n', 2, /must be a named export/);
  // Other JSDoc tags do not count.
  t.throws(() => parse('/** @celltype */\nexport class A { go(): void {} }\n'), { message: /no class tagged/ });
});

test('syntax errors are located', (t) => {
  rejects(t, '/** @cell */\nexport class A {\n  go(: void {}\n}\n', 3, /syntax error/);
});
