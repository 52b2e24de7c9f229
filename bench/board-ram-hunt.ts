// Only the RAM hunt of the board bench (bench/board.ts, ramHunt): kernel + echo, then kernel +
// echo + kv, on the QEMU board, without the rest of `npm run bench -- --only board`.
// `npx tsx --import ./test/loader/raw-binaryen.mjs bench/board-ram-hunt.ts`
import { join } from 'node:path';
import { armToolchainMissing } from '../host/board/build-qemu.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { ramHunt } from './board.ts';

const missing = armToolchainMissing();
if (missing) throw new Error(missing);
const kernel = join(REPO_ROOT, 'build', 'kernel.wasm');
const cell = (name: string) => join(REPO_ROOT, 'build', 'cells', `${name}.wasm`);
const one = await ramHunt(kernel, [cell('echo')], 0);
console.log(`board.ramKernelOneCellBytes ${one}`);
const two = await ramHunt(kernel, [cell('echo'), cell('kv')], 3);
console.log(`board.ramKernelTwoCellsBytes ${two}`);
