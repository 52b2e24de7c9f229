import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show size, memory, imports, exports, profile check and species id of a .wasm')
    .argument('<file>', 'a kernel or cell .wasm')
    .option('--json', 'print one JSON object')
    .option('--max-pages <n>', 'memory budget in 64 KiB pages for the profile check', '1')
    .action(async (file: string, opts: { json?: boolean; maxPages: string }) => {
      const [{ inspectWasm }, { checkProfile }, { speciesIdOf, speciesHex }, { validateSchema }] = await Promise.all([
        import('../build/inspect.ts'), import('../build/profile.ts'), import('../sdk/species.ts'), import('../sdk/schema.ts'),
      ]);
      const wasm = new Uint8Array(await readFile(file));
      const facts = inspectWasm(wasm);
      const schema = facts.schema === undefined ? undefined : validateSchema(facts.schema);
      const kind = schema ? 'cell' : 'kernel';
      const maxPages = Number(opts.maxPages);
      if (!Number.isInteger(maxPages) || maxPages < 1) throw new Error(`--max-pages must be a whole number >= 1, not "${opts.maxPages}"`);
      const profile = checkProfile(wasm, { kind, maxPages });
      const out = {
        file,
        kind,
        sizeBytes: facts.sizeBytes,
        memory: facts.memory,
        ...(facts.memoryBytes !== undefined ? { memoryBytes: facts.memoryBytes } : {}),
        imports: facts.imports,
        exports: facts.exports,
        customSections: facts.customSections,
        ...(schema ? { name: schema.name, speciesId: speciesHex(speciesIdOf(schema)), schema } : {}),
        profile: { ok: profile.ok, problems: profile.problems },
      };
      if (opts.json) {
        console.log(JSON.stringify(out, null, 2));
      } else {
        console.log(`${file}: ${kind}${schema ? ` "${schema.name}" species ${out.speciesId}` : ''}`);
        console.log(`  size     ${facts.sizeBytes} bytes`);
        const declared = facts.memoryBytes !== undefined ? `, of which it uses ${facts.memoryBytes} bytes (cell.memory)` : '';
        console.log(`  memory   ${facts.memory ? `${facts.memory.initialPages}..${facts.memory.maximumPages ?? 'unbounded'} pages${declared}` : 'none'}`);
        console.log(`  imports  ${facts.imports.map((i) => `${i.module}.${i.name}`).join(', ') || '-'}`);
        console.log(`  exports  ${facts.exports.map((e) => e.name).join(', ') || '-'}`);
        console.log(`  profile  ${profile.ok ? 'ok (wasm3 mcu profile)' : 'FAILED'}`);
        for (const p of profile.problems) console.log(`    - ${p}`);
      }
      if (!profile.ok) process.exitCode = 2;
    });
}
