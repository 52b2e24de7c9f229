// `npm run bench [-- --json FILE] [--only shm,udp,rpc,serial,cells,cli,auth,fair] [--seconds N]`: every
// transport's figures, what cell calls cost in metered instructions, and how fast the `cell`
// command starts, each beside a baseline measured in the same run, with the ratio. Not a test: nothing here asserts.
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';

const program = new Command()
  .name('npm run bench --')
  .description('measure each transport beside a baseline from the same run')
  .option('--json <file>', 'also write the figures as JSON')
  .option('--only <list>', 'comma-separated subset of shm,udp,rpc,serial,cells,cli,auth,spore,spawn,board,fair (fair: issue #12 finding 8, not in the default set; board: the QEMU RAM hunt, also not)', 'shm,udp,rpc,serial,cells,cli,auth,spore,spawn')
  .option('--seconds <n>', 'seconds per measurement; UDP ratios wander in much shorter runs', '8')
  .parse();
const opts = program.opts<{ json?: string; only: string; seconds: string }>();
const only = new Set(opts.only.split(',').map((s) => s.trim()));
for (const o of only) if (!['shm', 'udp', 'rpc', 'serial', 'cells', 'cli', 'auth', 'spore', 'spawn', 'fair', 'board'].includes(o)) throw new Error(`--only: unknown benchmark "${o}"`);
const seconds = Number(opts.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be positive, not "${opts.seconds}"`);

const ratio = (ours: number, base: number) => `${(ours / base).toFixed(2)}x`;
const n = (v: number, d = 0) => v.toLocaleString('en', { maximumFractionDigits: d });
const out: Record<string, unknown> = { machine: { cpus: cpus().length, loadAvg1m: loadavg()[0] } };
console.log(`machine: ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)} (figures on a loaded machine are upper bounds)\n`);

if (only.has('shm')) {
  const { benchShm } = await import('./shm.ts');
  const r = await benchShm({ seconds });
  out.shm = r;
  console.log('shm (SharedArrayBuffer ring, worker threads) vs MessagePort.postMessage');
  console.log(`  rtt p50   ${n(r.rttP50Ns)} ns   baseline ${n(r.baseline.rttP50Ns)} ns   (${ratio(r.baseline.rttP50Ns, r.rttP50Ns)} better)`);
  console.log(`  rtt p99   ${n(r.rttP99Ns)} ns   baseline ${n(r.baseline.rttP99Ns)} ns`);
  console.log(`  msgs/s    ${n(r.msgsPerSec)}   baseline ${n(r.baseline.msgsPerSec)}   (${ratio(r.msgsPerSec, r.baseline.msgsPerSec)})\n`);
}
if (only.has('udp')) {
  const { benchUdp } = await import('./udp.ts');
  const r = await benchUdp({ seconds });
  out.udp = r;
  console.log('udp (Cell RPC through both kernels and the echo cell) vs raw dgram echo');
  console.log(`  rtt p50   ${n(r.rttP50Us, 1)} us   baseline ${n(r.baseline.rttP50Us, 1)} us   (${ratio(r.rttP50Us, r.baseline.rttP50Us)} of raw)`);
  console.log(`  rtt p99   ${n(r.rttP99Us, 1)} us   baseline ${n(r.baseline.rttP99Us, 1)} us`);
  console.log(`  msgs/s    ${n(r.msgsPerSec)}   baseline ${n(r.baseline.msgsPerSec)}   (${ratio(r.msgsPerSec, r.baseline.msgsPerSec)} of raw)\n`);
}
if (only.has('spore')) {
  const { benchSpore } = await import('./spore.ts');
  const r = await benchSpore();
  out.spore = r;
  console.log(`spore fetch from a \`cell run\` process (the kernel's transfer over authenticated loopback UDP, runs of ${r.run} chunks, median of ${r.rounds}) vs the same bytes from a second process over a TCP socket, and as plain UDP datagrams of ${r.run} KiB (${r.floorWindow} in flight, no kernel)`);
  for (const c of r.cases) {
    console.log(`  ${n(c.bytes)} bytes   ${n(c.ms, 1)} ms, ${n(c.bytesPerSec / 1e6, 2)} MB/s   baseline TCP ${n(c.baseline.ms, 1)} ms, ${n(c.baseline.bytesPerSec / 1e6, 1)} MB/s (${ratio(c.bytesPerSec, c.baseline.bytesPerSec)} of TCP)   plain UDP ${n(c.floor.ms, 1)} ms, ${n(c.floor.bytesPerSec / 1e6, 1)} MB/s (${ratio(c.bytesPerSec, c.floor.bytesPerSec)} of it)`);
    const pad = ' '.repeat(n(c.bytes).length);
    console.log(`  ${pad}         verify (signature, hash, chunk root) ${n(c.verifyMs, 2)} ms (${ratio(c.verifyMs, c.ms)} of the transfer)`);
    const k = c.crypto;
    console.log(`  ${pad}         the fetch's cryptography alone ${n(k.ms, 2)} ms (${ratio(k.ms, c.baseline.ms)} of TCP's whole transfer): ${n(k.hashCalls)} hal.hash ${n(k.hashMs, 2)} ms, ${n(k.macCalls)} hal.mac ${n(k.macMs, 2)} ms, module SHA-256 ${n(k.moduleHashMs, 2)} ms`);
  }
  console.log('');
}
if (only.has('spawn')) {
  const { benchSpawn } = await import('./spawn.ts');
  const r = await benchSpawn();
  out.spore = { ...(out.spore as object | undefined), spawnToServeMs: r.spawnToServeMs, spawnBaseline: { fetchMs: r.baseline.fetchMs, spawns: r.spawns } };
  console.log(`spawn (hal.spawn to the first call served by the new replica, two nodes over authenticated loopback UDP, p50 of ${r.spawns})`);
  console.log(`  spawnToServeMs ${n(r.spawnToServeMs, 1)} ms   baseline: the plain fetch of the same spore ${n(r.baseline.fetchMs, 1)} ms\n`);
}
if (only.has('rpc')) {
  const { benchRpcStack } = await import('./rpc-stack.ts');
  const r = await benchRpcStack({ seconds });
  out.rpc = r;
  console.log('rpc stack CPU, one process, no sockets (client kernel -> server kernel -> echo cell -> back) vs the echo cell alone');
  console.log(`  per call  ${n(r.usPerCall, 2)} us   baseline ${n(r.baseline.usPerCall, 2)} us   (${ratio(r.usPerCall, r.baseline.usPerCall)})\n`);
}
if (only.has('serial')) {
  const { benchSerial } = await import('./serial.ts');
  const runs = [];
  for (const baud of [115200, 921600]) runs.push(await benchSerial({ baud, seconds }));
  // The issue's JSON shape has one serial entry: the 921600 run; both are kept under `runs`.
  const last = runs[runs.length - 1]!;
  out.serial = { baud: last.baud, bytesPerSec: last.bytesPerSec, lineRateBytesPerSec: last.lineRateBytesPerSec, runs };
  console.log('serial (COBS + CRC) on a pty line paced at the line rate by pv, vs the line rate');
  for (const r of runs) {
    console.log(`  ${r.baud} baud: ${n(r.bytesPerSec)} B/s on the wire, line rate ${n(r.lineRateBytesPerSec)} B/s (${ratio(r.bytesPerSec, r.lineRateBytesPerSec)}); payload ${n(r.payloadBytesPerSec)} B/s (framing efficiency ${(r.framingEfficiency * 100).toFixed(1)}%); unpaced pty ${n(r.ceilingBytesPerSec)} B/s`);
  }
  console.log('  a pty alone ignores its baud rate; pv paces the line, and overshoots its rate by a percent or two\n');
}
if (only.has('cells')) {
  const { benchCellCost } = await import('./cell-cost.ts');
  const r = await benchCellCost();
  out.cells = r;
  console.log('cells: metered instructions per call (the CPU mitosis counts) vs the same method with its smallest argument');
  for (const c of r) console.log(`  ${c.call.padEnd(32)} ${n(c.instructions).padStart(9)}   baseline ${c.baseline.call} ${n(c.baseline.instructions)}   (${ratio(c.instructions, c.baseline.instructions)})`);
  console.log('');
}
if (only.has('board')) {
  const { benchBoard } = await import('./board.ts');
  const r = await benchBoard();
  out.board = r;
  console.log('board runtime (posix build, wasm3) vs V8: the same echo CALL frames through the mcu kernel and the echo cell');
  console.log(`  per call  ${n(r.wasm3UsPerCall, 2)} us   baseline V8 ${n(r.v8UsPerCall, 2)} us   (${ratio(r.wasm3UsPerCall, r.v8UsPerCall)} of V8)`);
  console.log(`  posix binary ${n(r.posixBinaryBytes)} bytes, peak RSS ${n(r.posixPeakRssBytes)} bytes`);
  const s = r.serial;
  console.log(`  echo over a ${s.baud}-baud paced pty: RTT p50 ${n(s.serialRttP50Us)} us (p99 ${n(s.serialRttP99Us)})   baseline line floor ${n(s.serialFloorUs)} us for ${s.callWireBytes} + ${s.replyWireBytes} wire bytes   (${ratio(s.serialRttP50Us, s.serialFloorUs)} of the floor); unpaced pty ${n(s.unpacedRttP50Us)} us`);
  if (r.qemuSkipped) console.log(`  qemu-mps2-an386: skipped (${r.qemuSkipped})\n`);
  else {
    const i = r.instructions!;
    console.log(`  qemu-mps2-an386 echo call: ${n(i.instructionsPerCall)} emulated instructions (median of ${i.calls}, ${n(i.minInstructions)}-${n(i.maxInstructions)}) for ${n(i.fuelPerCall)} fuel: ${n(i.instructionsPerFuel, 1)} instructions per unit of fuel; ${n(i.instructionsPerTick, 2)} instructions per SysTick tick (calibration loop, -icount shift=0)`);
    console.log(`  qemu-mps2-an386 SHA-256 (as-sha256 under wasm3, one hash as a module check runs it): ${i.sha256.map((x) => `${n(x.bytes)} B ${n(x.instructions)}`).join(', ')} instructions; ${n(i.sha256SetupInstructions)} to set up a hash, ${n(i.sha256InstructionsPerBlock)} per further 64-byte block`);
  }
  if (!r.qemuSkipped) console.log(`  qemu-mps2-an386 RAM hunt: kernel + echo ${n(r.ramKernelOneCellBytes ?? NaN)} bytes, kernel + echo + kv ${n(r.ramKernelTwoCellsBytes ?? NaN)} bytes; image with kernel + 3 cells ${n(r.flashBytes ?? NaN)} bytes of flash\n`);
}
if (only.has('fair')) {
  const { benchFair } = await import('./fair.ts');
  const r = await benchFair({ seconds });
  out.fair = r;
  console.log('fair: a runaway node (a cell spinning out its fuel) vs 8 nodes calling echo at 20/s; cpuBudget 0 is main\'s behaviour');
  for (const x of r.runaway) {
    console.log(`  runaway ${x.rate}/s, cpuBudget ${x.cpuBudget}: others p50 ${n(x.othersP50Ms, 1)} ms, p99 ${n(x.othersP99Ms, 1)} ms, ${x.othersDone} done, ${x.othersFailed} failed; runaway ${x.runawayServed} served, ${x.runawayShed} shed`);
  }
  const s = r.sharedPeer;
  console.log(`  ${s.callers} callers sharing one node: ${n(s.through)} of ${n(s.calls)} through, ${s.refused} refused, in ${n(s.seconds, 1)} s; slowest caller ${s.slowestCallerAtFirstDone} calls when the first finished; ${s.refusedOffers} refused k_call offers\n`);
}
if (only.has('cli')) {
  const { benchCli } = await import('./cli.ts');
  const r = await benchCli();
  out.cli = r;
  const ms = (v: number) => `${n(v)} ms`;
  console.log(`cli: the compiled \`cell\` command, spawn to output, p50 of ${r.runs} runs, vs \`node -e 0\` (${ms(r.baseline.nodeMs)})`);
  console.log(`  --help            ${ms(r.helpMs).padStart(8)}   (${ratio(r.helpMs, r.baseline.nodeMs)} of node -e 0)`);
  console.log(`  call, to answer   ${ms(r.callP50Ms).padStart(8)}   (${ratio(r.callP50Ms, r.baseline.nodeMs)})`);
  console.log(`  run, to listening ${ms(r.runToListeningMs).padStart(8)}   (${ratio(r.runToListeningMs, r.baseline.nodeMs)})\n`);
}
if (only.has('auth')) {
  const { benchAuth } = await import('./auth.ts');
  const r = await benchAuth({ seconds });
  out.auth = r;
  console.log('auth: a call through two kernels in one process (CALL and REPLY sealed and verified) vs both kernels open');
  console.log(`  per call  ${n(r.usPerCall, 2)} us   baseline ${n(r.baseline.usPerCall, 2)} us   (${ratio(r.usPerCall, r.baseline.usPerCall)}); per frame +${n(r.usPerFrame, 2)} us`);
  console.log(`  node:crypto: HMAC-SHA256 of 64 B ${n(r.primitivesUs.hmac64, 2)} us, ed25519 sign ${n(r.primitivesUs.sign, 1)} us, verify ${n(r.primitivesUs.verify, 1)} us, X25519 ${n(r.primitivesUs.x25519, 1)} us`);
  console.log(`  handshake (HELLO + WELCOME, both kernels) ${n(r.usPerHandshake, 0)} us\n`);
}
if (opts.json) {
  await writeFile(opts.json, JSON.stringify(out, null, 2) + '\n');
  console.log(`json: ${opts.json}`);
}
process.exit(0);
