// `npm run test:unit`: every test file but the system ones, each worker started with
// no-system-access.mjs so a unit test cannot quietly start a process or open a socket.
import { readFileSync } from 'node:fs';
import { SYSTEM_TESTS } from './system-tests.mjs';

const all = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).ava;

export default {
  ...all,
  files: [...all.files, ...Object.keys(SYSTEM_TESTS).map((f) => `!${f}`)],
  nodeArguments: [...all.nodeArguments, `--import=${new URL('./no-system-access.mjs', import.meta.url).href}`],
};
