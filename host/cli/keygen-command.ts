import type { Command } from 'commander';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('make an authority\'s ed25519 key for signing spores (FILE, mode 0600, and FILE.pub); prints the public key')
    .requiredOption('-o, --out <file>', 'secret key file to write, e.g. ~/.cell/authority.key')
    .option('--force', 'replace an existing key file (the old key is lost)')
    .action(async (opts: { out: string; force?: boolean }) => {
      const { generateAuthorityKey, writeAuthorityKey, publicKeyFileOf, hex } = await import('../spore/authority-key.ts');
      const key = generateAuthorityKey();
      await writeAuthorityKey(opts.out, key, { force: opts.force === true });
      console.log(hex(key.publicKey));
      console.error(`secret key ${opts.out} (keep it private), public key ${publicKeyFileOf(opts.out)}; nodes run its spores with --trust ${hex(key.publicKey)}`);
    });
}
