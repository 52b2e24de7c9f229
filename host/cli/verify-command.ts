import type { Command } from 'commander';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a .spore: format, signature, module hash, chunk root, times and (with --trust) its authority; exit 1 if it would not run')
    .argument('<spore>', 'a .spore file (cell build --sign)')
    .option('--trust <key...>', 'trusted authority public keys (64 hex digits, or a FILE.pub)')
    .option('--json', 'the result as JSON')
    .action(async (file: string, opts: { trust?: string[]; json?: boolean }) => {
      const { readSporeFile } = await import('../spore/spore-file.ts');
      const { verifySpore, iso, nowSeconds } = await import('../spore/verify-spore.ts');
      const { TrustStore } = await import('../spore/trust.ts');
      const { parsePublicKeyArg, hex } = await import('../spore/authority-key.ts');
      const { speciesHex } = await import('../sdk/species.ts');
      const { SporeError } = await import('../spore/spore-error.ts');
      const trust = opts.trust ? new TrustStore({ authorities: await Promise.all(opts.trust.map(parsePublicKeyArg)) }) : null;
      let bytes: Uint8Array;
      try {
        bytes = await readSporeFile(file);
      } catch (err) {
        if (!(err instanceof SporeError)) throw err;
        bytes = new Uint8Array(0);
        report({ ok: false, reason: err.reason, detail: err.detail });
        return;
      }
      const r = verifySpore(bytes, { trust, now: nowSeconds() });
      report(r.ok ? { ok: true, m: r.spore.manifest, via: r.spore.trustedVia } : { ok: false, reason: r.reason, detail: r.detail, m: r.manifest });

      function report(x: { ok: boolean; reason?: string; detail?: string; via?: string; m?: import('../spore/manifest.ts').SporeManifest }): void {
        const m = x.m;
        const facts = m ? {
          name: m.name, species: speciesHex(m.speciesId), moduleHash: hex(m.moduleHash), moduleSize: m.moduleSize, chunkRoot: hex(m.chunkRoot),
          authority: hex(m.authority), revision: m.revision, issued: iso(m.issuedAt), expires: iso(m.expiresAt),
          successor: m.successor ? hex(m.successor) : null, abi: m.abiVersion, biology: m.biology, limits: m.limits,
        } : null;
        if (opts.json) {
          console.log(JSON.stringify({ file, ok: x.ok, reason: x.reason ?? null, detail: x.detail ?? null, authorityTrust: x.via ?? null, manifest: facts, fileBytes: bytes.length }, null, 2));
        } else {
          if (facts) {
            console.log(`${facts.name}  species ${facts.species}  ABI ${facts.abi}`);
            console.log(`module     ${facts.moduleHash}  ${facts.moduleSize} bytes`);
            console.log(`chunk root ${facts.chunkRoot}`);
            console.log(`authority  ${facts.authority}  revision ${facts.revision}${facts.successor ? `  successor ${facts.successor}` : ''}`);
            console.log(`valid      ${facts.issued} .. ${facts.expires}`);
          }
          if (x.ok) console.log(`signature OK, module hash OK, chunk root OK; ${x.via === 'unchecked' ? 'authority not checked (pass --trust KEY to check it)' : `authority trusted (${x.via})`}`);
          else console.log(`REFUSED ${x.reason}: ${x.detail}`);
        }
        process.exitCode = x.ok ? 0 : 1;
      }
    });
}
