// The test files that start processes, open sockets, run worker threads or drive a browser.
// `npm test` runs every file; `npm run test:unit` (unit.ava.config.mjs) leaves these out, and
// no-system-access.mjs makes any other file fail the moment it reaches for one of them.
export const SYSTEM_TESTS = {
  'test/board-qemu.test.ts': 'builds the Cortex-M4 image with arm-none-eabi-gcc and boots it in qemu-system-arm',
  'test/board-rp2040.test.ts': 'builds the Cortex-M0+ image with arm-none-eabi-gcc (child processes) and boots it in the rp2040js emulator',
  'test/board-rp2040-flash.test.ts': 'builds the serial-mode Cortex-M0+ image (arm-none-eabi-gcc) and runs cell flash --board rp2040 as a child process; boots it in rp2040js',
  'test/board-qemu-flash.test.ts': 'builds the serial-mode Cortex-M4 image and flashes kernel + echo into qemu-system-arm over a pty',
  'test/board-flash.test.ts': 'runs the posix board (C compiler) with a store file as a child process and installs modules over its stdin/stdout; runs cell flash as a child process',
  'test/board-flash-spore.test.ts': 'runs cell flash with signed spores as child processes onto the posix board (C compiler) with a store file, then the board itself',
  'test/board-conformance.test.ts': 'builds the posix board runtime with the C compiler and runs it as a child process',
  'test/cli.test.ts': 'runs bin/cell.js as a child process against a cell run node',
  'test/spore-cli.test.ts': 'runs cell keygen, build --sign, verify, run and spores as child processes',
  'test/cli-startup.test.ts': 'runs bin/cell.js commands as child processes and logs what they load',
  'test/durable-state.test.ts': 'kill -9 of a cell run process, restarted on the same --state-dir',
  'test/discovery.test.ts': 'two cell run processes found over UDP multicast',
  'test/report-html.test.ts': 'renders the report in headless Chromium',
  'test/serial-node.test.ts': 'cell run --serial over a socat pty pair',
  'test/transport-serial.test.ts': 'a socat pseudo-terminal pair',
  'test/transport-shm.test.ts': 'shared-memory rings between worker threads',
  'test/transport-udp.test.ts': 'UDP sockets on loopback',
  'test/udp-edges.test.ts': 'UDP sockets on loopback, IPv4 multicast and ::1',
  'test/cli-edges.test.ts': 'runs cell run, call and stats as child processes on ::1',
  'test/spore-fetch-udp.test.ts': 'a spore fetch over UDP on loopback, from a node in-process and from a cell run process',
  'test/board-gateway-e2e.test.ts': 'cell flash --detach boots QEMU, then cell gateway and cell call run as child processes on loopback UDP',
  'test/gateway.test.ts': 'the posix board as a child process on a socat pty pair, the gateway\'s cable node on the other end',
  'test/mitosis-load.test.ts': 'six cell run processes on loopback UDP (--time-scale 10) and load generators: divide under load, kill -9, retire to one',
  'test/mitosis-processes.test.ts': 'six cell run processes on loopback UDP: SPAWN, spore fetch, kill -9 and replacement',
};
