import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { FirmwareTarget } from '../build/asc.ts';
import type { BuiltCell } from '../build/build-cell.ts';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build cells (a folder with cell.toml) or, with no folder, the kernel and every cell in firmware/cells')
    .argument('[dirs...]', 'cell folders, e.g. firmware/cells/exchange')
    .option('-t, --target <target>', 'mcu (one 64 KiB page) or host', 'mcu')
    .option('-o, --out <dir>', 'output folder for cells', 'build/cells')
    .option('--kernel', 'also build the kernel (always done when no folder is given)')
    .option('--sign <keyfile>', 'also write NAME.spore: the .wasm and a manifest signed with this authority key (cell keygen)')
    .option('--expires <days>', 'with --sign: days the spore stays valid', '365')
    .option('--revision <n>', 'with --sign: the manifest revision', '1')
    .option('--successor <key>', 'with --sign: name the key this authority hands over to (64 hex digits or a FILE.pub)')
    .action(async (dirs: string[], opts: { target: string; out: string; kernel?: boolean; sign?: string; expires: string; revision: string; successor?: string }) => {
      if (opts.target !== 'mcu' && opts.target !== 'host') throw new Error(`--target must be mcu or host, not "${opts.target}"`);
      const target = opts.target as FirmwareTarget;
      // The compiler and binaryen load only for this command.
      const [{ buildKernel }, { buildCell }, { buildAll }, { speciesHex }] = await Promise.all([
        import('../build/build-kernel.ts'), import('../build/build-cell.ts'), import('../build/build-all.ts'), import('../sdk/species.ts'),
      ]);
      const sign = opts.sign ? await signer(opts) : null;
      if (dirs.length === 0) {
        const all = await buildAll({ target, cellsOut: resolve(opts.out), log: (l) => console.log(l) });
        console.log(`built kernel and ${all.cells.length} cells`);
        for (const c of all.cells) if (sign) console.log(`  ${await sign(c)}`);
        return;
      }
      if (opts.kernel) {
        const k = await buildKernel(target);
        console.log(`kernel  ${k.sizeBytes} bytes  ${k.wasmPath}`);
      }
      for (const dir of dirs) {
        const c = await buildCell(resolve(dir), { target, outDir: resolve(opts.out) });
        console.log(`${c.name}  species ${speciesHex(c.speciesId)}  ${c.sizeBytes} bytes  ${c.wasmPath}`);
        if (c.target === 'mcu') console.log(`  memory ${c.limits.memory} bytes of its 64 KiB page (at least ${c.memoryFloor}: [cell.limits] memory)`);
        console.log(`  schema ${c.schemaPath}\n  client ${c.clientPath}`);
        if (sign) console.log(`  ${await sign(c)}`);
      }
    });
}

/** Writes NAME.spore beside a built cell's .wasm; returns the line to print. */
async function signer(opts: { sign?: string; expires: string; revision: string; successor?: string }): Promise<(c: BuiltCell) => Promise<string>> {
  const days = Number(opts.expires);
  if (!(days > 0 && days <= 36500)) throw new Error(`--expires must be a number of days in (0, 36500], not "${opts.expires}"`);
  const revision = Number(opts.revision);
  if (!Number.isInteger(revision) || revision < 0 || revision > 0xffffffff) throw new Error(`--revision must be a whole number 0..4294967295, not "${opts.revision}"`);
  const [{ readAuthorityKey, parsePublicKeyArg, hex }, { signSpore }, { nowSeconds }, { readFile, writeFile, rename }] = await Promise.all([
    import('../spore/authority-key.ts'), import('../spore/sign-spore.ts'), import('../spore/verify-spore.ts'), import('node:fs/promises'),
  ]);
  const key = await readAuthorityKey(opts.sign!);
  const successor = opts.successor ? await parsePublicKeyArg(opts.successor) : null;
  return async (c) => {
    const issuedAt = nowSeconds();
    const spore = signSpore(
      { module: new Uint8Array(await readFile(c.wasmPath)), schema: c.schema, biology: c.biology, limits: c.limits },
      { key, issuedAt, expiresAt: issuedAt + Math.round(days * 86400), revision, successor },
    );
    const path = c.wasmPath.replace(/\.wasm$/, '.spore');
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, spore);
    await rename(tmp, path);
    return `spore  ${path}  ${spore.length} bytes, signed by ${hex(key.publicKey)}`;
  };
}
