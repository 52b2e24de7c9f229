import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { FirmwareTarget } from '../build/asc.ts';

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build cells (a folder with cell.toml) or, with no folder, the kernel and every cell in firmware/cells')
    .argument('[dirs...]', 'cell folders, e.g. firmware/cells/exchange')
    .option('-t, --target <target>', 'mcu (one 64 KiB page) or host', 'mcu')
    .option('-o, --out <dir>', 'output folder for cells', 'build/cells')
    .option('--kernel', 'also build the kernel (always done when no folder is given)')
    .action(async (dirs: string[], opts: { target: string; out: string; kernel?: boolean }) => {
      if (opts.target !== 'mcu' && opts.target !== 'host') throw new Error(`--target must be mcu or host, not "${opts.target}"`);
      const target = opts.target as FirmwareTarget;
      // The compiler and binaryen load only for this command.
      const [{ buildKernel }, { buildCell }, { buildAll }, { speciesHex }] = await Promise.all([
        import('../build/build-kernel.ts'), import('../build/build-cell.ts'), import('../build/build-all.ts'), import('../sdk/species.ts'),
      ]);
      if (dirs.length === 0) {
        const all = await buildAll({ target, cellsOut: resolve(opts.out), log: (l) => console.log(l) });
        console.log(`built kernel and ${all.cells.length} cells`);
        return;
      }
      if (opts.kernel) {
        const k = await buildKernel(target);
        console.log(`kernel  ${k.sizeBytes} bytes  ${k.wasmPath}`);
      }
      for (const dir of dirs) {
        const c = await buildCell(resolve(dir), { target, outDir: resolve(opts.out) });
        console.log(`${c.name}  species ${speciesHex(c.speciesId)}  ${c.sizeBytes} bytes  ${c.wasmPath}`);
        console.log(`  schema ${c.schemaPath}\n  client ${c.clientPath}`);
      }
    });
}
