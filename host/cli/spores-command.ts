import type { Command } from 'commander';

export function registerSpores(program: Command): void {
  program
    .command('spores')
    .description('list the spores this machine\'s cache holds and serves: hash, species, name, size, authority, times served, last use')
    .option('--dir <dir>', 'the cache directory (default $CELL_HOME/spores, else ~/.cell/spores)')
    .option('--json', 'as JSON')
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const { SporeCache } = await import('../spore/spore-cache.ts');
      const { speciesHex } = await import('../sdk/species.ts');
      const cache = await SporeCache.open({ dir: opts.dir });
      const list = await cache.list();
      if (opts.json) {
        console.log(JSON.stringify({ dir: cache.dir, capBytes: cache.capBytes, spores: list.map((e) => ({ ...e, species: speciesHex(e.species), lastUsed: new Date(e.lastUsed).toISOString(), addedAt: new Date(e.addedAt).toISOString() })) }, null, 2));
        return;
      }
      const total = list.reduce((n, e) => n + e.bytes, 0);
      console.log(`${cache.dir}: ${list.length} spores, ${total} of ${cache.capBytes} bytes`);
      if (list.length === 0) return;
      console.log(['hash'.padEnd(16), 'species'.padEnd(10), 'name'.padEnd(12), 'bytes'.padStart(8), 'authority'.padEnd(16), 'served'.padStart(6), 'last used'].join('  '));
      for (const e of list) {
        console.log([e.hash.slice(0, 16), speciesHex(e.species), e.name.padEnd(12), String(e.bytes).padStart(8), e.authority.slice(0, 16), String(e.served).padStart(6), `${new Date(e.lastUsed).toISOString()}${e.pinned ? '  running' : ''}`].join('  '));
      }
    });
}
