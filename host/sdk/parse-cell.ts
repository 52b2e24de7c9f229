// Reads a cell's AssemblyScript source with the TypeScript parser (syntax only: AS types such as
// u64 mean nothing to the TS checker) and turns its `/** @cell */` class into a schema plus the
// exact AS types the dispatcher generator needs (Array vs StaticArray do not differ on the wire).
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import ts from 'typescript';
import { validateSchema, type CellSchema, type ScalarType, type SchemaType } from './schema.ts';

/** A value type as the cell source spells it. */
export type CellType =
  | { kind: 'scalar'; name: ScalarType }
  | { kind: 'array'; element: CellType; container: 'Array' | 'StaticArray' }
  | { kind: 'nullable'; inner: CellType }
  | { kind: 'struct'; name: string };

export interface CellParam {
  name: string;
  type: CellType;
}

export interface CellMethod {
  name: string;
  line: number;
  params: CellParam[];
  result: CellType | 'void';
}

export interface CellStructField {
  name: string;
  type: CellType;
  readonly: boolean;
}

export interface CellStruct {
  name: string;
  line: number;
  fields: CellStructField[];
}

export interface ParsedCell {
  /** Path of the source, as given. */
  file: string;
  /** The exported `@cell` class. */
  className: string;
  methods: CellMethod[];
  /** Structs reachable from the handlers, in source order. */
  structs: CellStruct[];
  schema: CellSchema;
}

/** A problem in a cell source, located at `file:line:col`. */
export class CellParseError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly detail: string) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

const SCALARS: Record<string, ScalarType> = {
  bool: 'bool', boolean: 'bool',
  i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16', i32: 'i32', u32: 'u32', i64: 'i64', u64: 'u64',
  f32: 'f32', f64: 'f64', string: 'string', Uint8Array: 'bytes',
};

// Names that look like types but would give a schema that is not the same on every platform.
const HINTS: Record<string, string> = {
  number: 'AssemblyScript `number` is f64; say i32, u32, i64, u64, f32 or f64',
  isize: 'its width depends on the target; use i32 or i64',
  usize: 'its width depends on the target; use u32 or u64',
  any: 'a schema needs a concrete type',
  unknown: 'a schema needs a concrete type',
  undefined: 'use `T | null`',
  Map: 'use an array of a struct',
  Set: 'use an array',
  ArrayBuffer: 'use Uint8Array',
};

// A handler named `then` would make the generated client a thenable, which `await connect()` unwraps.
const FORBIDDEN_METHODS = new Set(['then', 'constructor']);

/** Parses a cell source file. `name` is the service name (cell.toml `[cell] name`); default: the file's base name. */
export function parseCell(file: string, opts: { name?: string; text?: string } = {}): ParsedCell {
  const text = opts.text ?? readFileSync(file, 'utf8');
  const name = opts.name ?? basename(file, extname(file));
  return new CellParser(file, text).parse(name);
}

class CellParser {
  private readonly sf: ts.SourceFile;
  private readonly classes = new Map<string, ts.ClassDeclaration>();
  private readonly structs = new Map<string, CellStruct>();
  private cellClass = '';

  constructor(private readonly file: string, text: string) {
    this.sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const diags = (this.sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
    if (diags.length > 0) {
      const d = diags[0];
      throw this.errorAt(d.start ?? 0, `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }

  parse(name: string): ParsedCell {
    const cell = this.findCellClass();
    this.cellClass = cell.name!.text;
    const methods: CellMethod[] = [];
    for (const member of cell.members) {
      const m = this.handler(member);
      if (m) methods.push(m);
    }
    if (methods.length === 0) throw this.error(cell, `class ${this.cellClass} has no public methods, so the cell has no handlers`);
    // Declared order, not discovery order, so reordering handlers does not reorder `types`.
    const structs = [...this.structs.values()].sort((a, b) => a.line - b.line);
    const schema: CellSchema = {
      name,
      methods: methods.map((m) => ({
        name: m.name,
        params: m.params.map((p) => ({ name: p.name, type: toSchemaType(p.type) })),
        result: m.result === 'void' ? 'void' : toSchemaType(m.result),
      })),
      types: Object.fromEntries(structs.map((s) => [s.name, { fields: s.fields.map((f) => ({ name: f.name, type: toSchemaType(f.type) })) }])),
    };
    try {
      validateSchema(schema);
    } catch (e) {
      throw this.error(cell, `cell ${JSON.stringify(name)}: ${(e as Error).message}`);
    }
    return { file: this.file, className: this.cellClass, methods, structs, schema };
  }

  private findCellClass(): ts.ClassDeclaration & { name: ts.Identifier } {
    const tagged: ts.ClassDeclaration[] = [];
    for (const st of this.sf.statements) {
      if (!ts.isClassDeclaration(st) || !st.name) continue;
      this.classes.set(st.name.text, st);
      if (ts.getJSDocTags(st).some((t) => t.tagName.text === 'cell')) tagged.push(st);
    }
    if (tagged.length === 0) {
      throw new CellParseError(this.file, 1, 1, 'no class tagged /** @cell */: mark the exported class whose public methods are the handlers');
    }
    if (tagged.length > 1) {
      const list = tagged.map((c) => `${c.name!.text} (line ${this.lineOf(c)})`).join(', ');
      throw this.error(tagged[1], `several classes tagged @cell: ${list}; a cell source has exactly one`);
    }
    const cell = tagged[0] as ts.ClassDeclaration & { name: ts.Identifier };
    if (!hasModifier(cell, ts.SyntaxKind.ExportKeyword)) throw this.error(cell, `@cell class ${cell.name.text} must be exported`);
    if (hasModifier(cell, ts.SyntaxKind.DefaultKeyword)) throw this.error(cell, `@cell class ${cell.name.text} must be a named export, not default`);
    if (cell.typeParameters?.length) throw this.error(cell, `@cell class ${cell.name.text} cannot be generic`);
    return cell;
  }

  private handler(member: ts.ClassElement): CellMethod | undefined {
    if (!ts.isMethodDeclaration(member)) return undefined;
    if (hasModifier(member, ts.SyntaxKind.PrivateKeyword) || hasModifier(member, ts.SyntaxKind.ProtectedKeyword)) return undefined;
    if (hasModifier(member, ts.SyntaxKind.StaticKeyword)) return undefined;
    if (ts.isPrivateIdentifier(member.name)) return undefined;
    if (!ts.isIdentifier(member.name)) throw this.error(member, 'handler names must be plain identifiers');
    const name = member.name.text;
    if (name.startsWith('_')) return undefined;
    const where = `method ${name}`;
    if (FORBIDDEN_METHODS.has(name)) throw this.error(member, `${where}: a handler cannot be named ${name} (the client would become a thenable); rename it or make it private`);
    if (!member.body) throw this.error(member, `${where}: overload signatures are not supported; a handler has one signature`);
    if (member.typeParameters?.length) throw this.error(member, `${where}: generic handlers are not supported`);
    if (hasModifier(member, ts.SyntaxKind.AsyncKeyword)) throw this.error(member, `${where}: handlers are synchronous (AssemblyScript has no async)`);
    const params = member.parameters.map((p) => {
      const pname = ts.isIdentifier(p.name) ? p.name.text : p.name.getText(this.sf);
      const pwhere = `${where}, parameter ${pname}`;
      if (!ts.isIdentifier(p.name)) throw this.error(p, `${pwhere}: destructuring is not supported`);
      if (p.dotDotDotToken) throw this.error(p, `${pwhere}: rest parameters are not supported`);
      if (p.questionToken || p.initializer) throw this.error(p, `${pwhere}: optional and default parameters are not supported (every argument is on the wire); use \`T | null\``);
      if (!p.type) throw this.error(p, `${pwhere}: missing type annotation`);
      return { name: pname, type: this.valueType(p.type, pwhere) };
    });
    if (!member.type) throw this.error(member, `${where}: missing return type annotation`);
    const result = member.type.kind === ts.SyntaxKind.VoidKeyword ? 'void' as const : this.valueType(member.type, `${where}, return type`);
    return { name, line: this.lineOf(member), params, result };
  }

  private valueType(node: ts.TypeNode, where: string): CellType {
    const text = node.getText(this.sf);
    const bad = (why: string): never => { throw this.error(node, `${where}: unsupported type \`${text}\`${why ? ` (${why})` : ''}`); };
    if (ts.isParenthesizedTypeNode(node)) return this.valueType(node.type, where);
    if (node.kind === ts.SyntaxKind.StringKeyword) return { kind: 'scalar', name: 'string' };
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { kind: 'scalar', name: 'bool' };
    if (node.kind === ts.SyntaxKind.VoidKeyword) return bad('void is only allowed as a return type');
    if (ts.isArrayTypeNode(node)) return { kind: 'array', element: this.valueType(node.elementType, where), container: 'Array' };
    if (ts.isUnionTypeNode(node)) {
      const isNull = (t: ts.TypeNode) => ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword;
      const rest = node.types.filter((t) => !isNull(t));
      if (rest.length !== 1 || node.types.length !== 2) return bad('the only union a schema knows is `T | null`');
      const inner = this.valueType(rest[0], where);
      if (inner.kind === 'scalar' && inner.name !== 'string' && inner.name !== 'bytes') {
        return bad(`${inner.name} is a value type and cannot be null in AssemblyScript`);
      }
      return { kind: 'nullable', inner };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      const args = node.typeArguments ?? [];
      if (name === 'Array' || name === 'StaticArray') {
        if (args.length !== 1) return bad(`${name} takes one type argument`);
        return { kind: 'array', element: this.valueType(args[0], where), container: name };
      }
      if (args.length > 0) return bad(HINTS[name] ?? '');
      if (Object.hasOwn(SCALARS, name)) return { kind: 'scalar', name: SCALARS[name] };
      if (this.classes.has(name)) return this.structType(name, node, where);
      return bad(HINTS[name] ?? `not a schema type, and no struct class ${name} is declared in this file`);
    }
    const hint = HINTS[text];
    return bad(hint ?? '');
  }

  private structType(name: string, ref: ts.Node, where: string): CellType {
    if (name === this.cellClass) throw this.error(ref, `${where}: the @cell class ${name} cannot be a value type`);
    if (!this.structs.has(name)) {
      const decl = this.classes.get(name)!;
      const sWhere = `struct ${name}`;
      if (!hasModifier(decl, ts.SyntaxKind.ExportKeyword)) throw this.error(decl, `${sWhere} (used by ${where}) must be exported: the generated dispatcher imports it`);
      if (decl.typeParameters?.length) throw this.error(decl, `${sWhere}: generic structs are not supported`);
      if (decl.heritageClauses?.length) throw this.error(decl, `${sWhere}: structs cannot extend or implement (fields must all be declared in the class)`);
      const struct: CellStruct = { name, line: this.lineOf(decl), fields: [] };
      // Registered before its fields are read so a self-referencing struct terminates.
      this.structs.set(name, struct);
      for (const member of decl.members) {
        if (ts.isConstructorDeclaration(member)) {
          const prop = member.parameters.find((p) => p.modifiers?.length);
          if (prop) throw this.error(prop, `${sWhere}: constructor parameter properties are not supported; declare the field in the class body`);
          continue;
        }
        if (!ts.isPropertyDeclaration(member)) continue; // methods and accessors are not on the wire
        if (hasModifier(member, ts.SyntaxKind.StaticKeyword)) continue;
        const fname = ts.isIdentifier(member.name) ? member.name.text : member.name.getText(this.sf);
        if (!ts.isIdentifier(member.name)) throw this.error(member, `${sWhere}: field ${fname} must be a plain identifier`);
        if (hasModifier(member, ts.SyntaxKind.PrivateKeyword) || hasModifier(member, ts.SyntaxKind.ProtectedKeyword)) {
          throw this.error(member, `${sWhere}: field ${fname} is not public; a struct's fields all travel on the wire`);
        }
        if (!member.type) throw this.error(member, `${sWhere}: field ${fname} needs a type annotation`);
        if (member.questionToken) throw this.error(member, `${sWhere}: optional field ${fname} is not supported; use \`T | null\``);
        struct.fields.push({
          name: fname,
          type: this.valueType(member.type, `${sWhere}, field ${fname}`),
          readonly: hasModifier(member, ts.SyntaxKind.ReadonlyKeyword),
        });
      }
      if (struct.fields.length > 64) throw this.error(decl, `${sWhere}: more than 64 fields`);
    }
    return { kind: 'struct', name };
  }

  private lineOf(node: ts.Node): number {
    return this.sf.getLineAndCharacterOfPosition(node.getStart(this.sf)).line + 1;
  }

  private error(node: ts.Node, detail: string): CellParseError {
    return this.errorAt(node.getStart(this.sf), detail);
  }

  private errorAt(pos: number, detail: string): CellParseError {
    const { line, character } = this.sf.getLineAndCharacterOfPosition(pos);
    return new CellParseError(this.file, line + 1, character + 1, detail);
  }
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

export function toSchemaType(t: CellType): SchemaType {
  switch (t.kind) {
    case 'scalar': return t.name;
    case 'array': return { array: toSchemaType(t.element) };
    case 'nullable': return { nullable: toSchemaType(t.inner) };
    case 'struct': return { struct: t.name };
  }
}

/** The AssemblyScript spelling of a type, as the generated dispatcher declares it. */
export function asTypeText(t: CellType | 'void'): string {
  if (t === 'void') return 'void';
  switch (t.kind) {
    case 'scalar': return t.name === 'bytes' ? 'Uint8Array' : t.name;
    case 'array': return `${t.container}<${asTypeText(t.element)}>`;
    case 'nullable': return `${asTypeText(t.inner)} | null`;
    case 'struct': return t.name;
  }
}
