// The generated client gives `connect(Exchange)` real types: checked here with the TypeScript
// compiler itself, on a correct snippet and on one with wrong arguments.
import test from 'ava';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../host/build/paths.ts';
import { generateClient, pascalName } from '../host/sdk/codegen-client.ts';
import { parseCell } from '../host/sdk/parse-cell.ts';
import { speciesHex, speciesIdOf } from '../host/sdk/species.ts';

const DIR = join(REPO_ROOT, 'build', 'test', `client-${process.pid}`);

const PRELUDE = `import type { CellSpecies } from '../../../host/sdk/species.ts';
import { Exchange, type ExchangeApi, type Order } from './exchange.client.ts';
// The host's connect() (written elsewhere) has this shape.
declare function connect<Api>(species: CellSpecies<Api>): Promise<Api>;
`;

function writeClient(dir: string, name: string): string {
  const schema = parseCell(join(REPO_ROOT, dir, `${name}.ts`), { name }).schema;
  const path = join(DIR, `${name}.client.ts`);
  writeFileSync(path, generateClient(schema, { outPath: path, source: `${dir}/${name}.ts` }));
  return path;
}

/** Type-checks `files` with the repository's compiler options; diagnostics by file name. */
function typecheck(files: string[]): ts.Diagnostic[] {
  const config = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, REPO_ROOT);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  return [...ts.getPreEmitDiagnostics(program)];
}

const describe = (d: ts.Diagnostic) => {
  const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
  return { file: d.file?.fileName.split('/').pop(), line, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
};

let diagnostics: ReturnType<typeof describe>[] = [];

test.before(() => {
  mkdirSync(DIR, { recursive: true });
  writeClient('firmware/cells/exchange', 'exchange');
  writeClient('test/fixtures/cells/types', 'types');
  writeFileSync(join(DIR, 'good.ts'), `${PRELUDE}
export async function main(): Promise<void> {
  const ex = await connect(Exchange);
  const api: ExchangeApi = ex;
  const id: bigint = await ex.place_order('BTC', 5n);
  await ex.place_order('ETH', 5);
  const cancelled: boolean = await ex.cancel(id);
  const orders: Order[] = await ex.book('BTC');
  const amount: bigint = orders[0].amount;
  const species: number = Exchange.speciesId;
  console.log(api, cancelled, amount, species, Exchange.schema.methods.length);
}
`);
  // Line numbers below are asserted: keep each mistake on its own line.
  writeFileSync(join(DIR, 'bad.ts'), `${PRELUDE}
export async function main(): Promise<void> {
  const ex = await connect(Exchange);
  ex.place_order(5, "BTC");
  ex.cancel("1");
  const name: string = await ex.place_order("BTC", 1n);
  ex.book();
  ex.no_such_method();
  console.log(name);
}
`);
  diagnostics = typecheck([join(DIR, 'good.ts'), join(DIR, 'bad.ts'), join(DIR, 'types.client.ts')]).map(describe);
});

test.after.always(() => {
  rmSync(DIR, { recursive: true, force: true });
});

test('a correct use of the exchange client compiles clean', (t) => {
  t.deepEqual(diagnostics.filter((d) => d.file !== 'bad.ts'), []);
});

test('wrong argument types, arity, result types and method names are tsc errors', (t) => {
  const bad = diagnostics.filter((d) => d.file === 'bad.ts').map(({ line, code, text }) => ({ line, code, text }));
  const at = (line: number) => bad.filter((d) => d.line === line);
  const first = 8; // line of ex.place_order(5, "BTC") in bad.ts
  t.like(at(first), [{ code: 2345, text: "Argument of type 'number' is not assignable to parameter of type 'string'." }]);
  t.like(at(first + 1), [{ code: 2345, text: "Argument of type 'string' is not assignable to parameter of type 'number | bigint'." }]);
  t.like(at(first + 2), [{ code: 2322, text: "Type 'bigint' is not assignable to type 'string'." }]);
  t.like(at(first + 3), [{ code: 2554, text: 'Expected 1 arguments, but got 0.' }]);
  t.like(at(first + 4), [{ code: 2339 }]);
  t.regex(at(first + 4)[0]?.text ?? '', /Property 'no_such_method' does not exist on type 'ExchangeApi'/);
  t.is(bad.length, 5, JSON.stringify(bad, null, 2));
});

test('the client file: names, species id, argument forms of structs', (t) => {
  const schema = parseCell(join(REPO_ROOT, 'test/fixtures/cells/types/types.ts'), { name: 'types' }).schema;
  const src = generateClient(schema, { outPath: join(DIR, 'types.client.ts') });
  t.true(src.includes(`speciesId: ${speciesHex(speciesIdOf(schema))},`));
  t.true(src.includes("import type { CellSpecies } from '../../../host/sdk/species.ts';"));
  t.true(src.includes('export const Types: CellSpecies<TypesApi> = {'));
  // Shape holds a u64, so as an argument it also takes numbers; Point has no 64-bit field.
  t.true(src.includes('export interface ShapeInput {\n  id: bigint | number;'));
  t.true(src.includes('  shape(v: ShapeInput): Promise<Shape>;'));
  t.true(src.includes('  shapes(v: ShapeInput[] | null): Promise<Shape[] | null>;'));
  t.true(src.includes('  i64s(v: (bigint | number)[]): Promise<bigint[]>;'));
  t.true(src.includes('  grid(v: (string | null)[][]): Promise<(string | null)[][]>;'));
  t.false(src.includes('PointInput'));
  t.is(pascalName('key-value_store'), 'KeyValueStore');
  const clash = { ...schema, name: 'shape' };
  t.throws(() => generateClient(clash, { outPath: join(DIR, 'x.client.ts') }), { message: /would declare Shape twice/ });
});
