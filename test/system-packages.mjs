// The Debian packages `npm test` needs, checked first in `pretest` so a fresh machine either gets
// them (root with apt-get: installed here, showing each command) or stops at once with the one
// command to run. Plain JavaScript with no imports beyond node: it must answer in milliseconds.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Each package, why the tests need it, and the programs any one of which satisfies it. */
const NEEDED = [
  {
    pkg: 'chromium',
    why: 'renders the simulator report (test/report-html.test.ts)',
    programs: process.env.CHROMIUM_BIN ? [process.env.CHROMIUM_BIN] : ['chromium', 'chromium-browser', 'google-chrome'],
  },
  { pkg: 'socat', why: 'joins a pseudo-terminal pair for the serial tests (test/pty-pair.ts)', programs: ['socat'] },
  { pkg: 'gcc-arm-none-eabi', why: 'builds the qemu-mps2-an386 board image (test/board-qemu.test.ts)', programs: ['arm-none-eabi-gcc'] },
  { pkg: 'libnewlib-arm-none-eabi', why: 'the C library of the qemu-mps2-an386 board image', programs: ['/usr/lib/arm-none-eabi/newlib/libc.a'] },
  { pkg: 'qemu-system-arm', why: 'boots the emulated Cortex-M4 board (test/board-qemu.test.ts)', programs: ['qemu-system-arm'] },
  { pkg: 'gcc', why: 'builds the posix board runtime on wasm3 (boards/runtime, test/board-conformance.test.ts)', programs: process.env.CC ? [process.env.CC] : ['cc', 'gcc'] },
];

function onPath(program) {
  // A library (a path ending in .a) only needs to be there; a program must be executable.
  if (program.endsWith('.a')) {
    try {
      accessSync(program, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(cmd, args) {
  console.log(`system-packages: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`system-packages: \`${[cmd, ...args].join(' ')}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
    process.exit(1);
  }
}

const missing = NEEDED.filter((n) => !n.programs.some(onPath));
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg);
  for (const m of missing) console.log(`system-packages: missing ${m.pkg}: ${m.why}`);
  const apt = process.platform === 'linux' && onPath('apt-get');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (apt && root) {
    // Wait for the dpkg lock rather than fail when another apt is running.
    const wait = ['-o', 'DPkg::Lock::Timeout=300'];
    run('apt-get', [...wait, 'update']);
    run('apt-get', [...wait, 'install', '-y', '--no-install-recommends', ...pkgs]);
    const still = missing.filter((n) => !n.programs.some(onPath)).map((m) => m.pkg);
    if (still.length > 0) {
      console.error(`system-packages: installed, but still not found on PATH: ${still.join(' ')}`);
      process.exit(1);
    }
  } else {
    const command = apt
      ? `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`
      : `install ${pkgs.join(' and ')} with your system's package manager (Debian: apt-get install ${pkgs.join(' ')})`;
    console.error(`system-packages: run this, then \`npm test\` again:\n\n  ${command}\n\n` +
      '(`npm run test:unit` needs none of them.)');
    process.exit(1);
  }
}
