const sab = new SharedArrayBuffer(65536 + 640);
const bytes = new Uint8Array(sab, 640, 65536);
const ctl = new Int32Array(sab, 0, 160);
const src = new Uint8Array(84).fill(7);
function time(name: string, n: number, f: (i: number) => unknown) {
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    let x: unknown;
    for (let i = 0; i < n; i++) x = f(i);
    const ns = (performance.now() - t0) * 1e6 / n;
    if (r === 1) console.log(name.padEnd(30), ns.toFixed(1), 'ns', typeof x === 'object' ? '' : '');
  }
}
const n = 3_000_000;
time('empty', n, (i) => i);
time('slice shared', n, (i) => bytes.slice(i & 1023, (i & 1023) + 84));
time('new+set subarray', n, (i) => { const o = new Uint8Array(84); o.set(bytes.subarray(i & 1023, (i & 1023) + 84)); return o; });
time('new+loop', n, (i) => { const o = new Uint8Array(84); const p = i & 1023; for (let k = 0; k < 84; k++) o[k] = bytes[p + k]!; return o; });
time('set into shared', n, (i) => bytes.set(src, (i & 1023) * 4));
time('loop into shared', n, (i) => { const p = (i & 1023) * 4; for (let k = 0; k < 84; k++) bytes[p + k] = src[k]!; });
time('Atomics.store', n, (i) => Atomics.store(ctl, 0, i));
time('Atomics.load', n, (i) => Atomics.load(ctl, 32) + i);
time('plain store', n, (i) => (ctl[0] = i));
const nsrc = new Uint8Array(65536);
time('slice nonshared', n, (i) => nsrc.slice(i & 1023, (i & 1023) + 84));
const buf = Buffer.from(sab, 640, 65536);
time('Buffer copy', n, (i) => { const o = new Uint8Array(84); buf.copy(o, 0, i & 1023, (i & 1023) + 84); return o; });
time('Buffer.allocUnsafe+set', n, (i) => { const o = Buffer.allocUnsafe(84); o.set(bytes.subarray(i & 1023, (i & 1023) + 84)); return o; });
let slab = new Uint8Array(65536); let off = 0;
time('slab subarray + copyWithin-ish set', n, (i) => { if (off + 84 > slab.length) { slab = new Uint8Array(65536); off = 0; } const o = slab.subarray(off, off + 84); off += 84; o.set(bytes.subarray(i & 1023, (i & 1023) + 84)); return o; });
time('slab subarray + loop', n, (i) => { if (off + 84 > slab.length) { slab = new Uint8Array(65536); off = 0; } const o = slab.subarray(off, off + 84); off += 84; const p = i & 1023; for (let k = 0; k < 84; k++) o[k] = bytes[p + k]!; return o; });
time('shared subarray (zero copy)', n, (i) => bytes.subarray(i & 1023, (i & 1023) + 84));
time('new Uint8Array(sab view)', n, (i) => new Uint8Array(sab, 640 + (i & 1023), 84));
time('new Uint8Array(32)', n, (i) => new Uint8Array(32));
time('new Uint8Array(84)', n, (i) => new Uint8Array(84));
