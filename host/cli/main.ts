// The `cell` command line. Each subcommand lives in its own file; this one only wires them.
import { Command } from 'commander';
import { registerBuild } from './build-command.ts';
import { registerInspect } from './inspect-command.ts';
import { registerRun } from './run-command.ts';
import { registerCall } from './call-command.ts';
import { registerSim } from './sim-command.ts';
import { registerPeers } from './peers-command.ts';
import { registerStats } from './stats-command.ts';
import { registerKeygen } from './keygen-command.ts';
import { registerVerify } from './verify-command.ts';
import { registerSpores } from './spores-command.ts';
import { registerFlash } from './flash-command.ts';
import { registerGateway } from './gateway-command.ts';

const program = new Command();
program
  .name('cell')
  .description('Cell: build, inspect, host and call cells; simulate swarms')
  .version('0.1.0')
  .showHelpAfterError();

registerBuild(program);
registerInspect(program);
registerRun(program);
registerCall(program);
registerSim(program);
registerPeers(program);
registerStats(program);
registerKeygen(program);
registerVerify(program);
registerSpores(program);
registerFlash(program);
registerGateway(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`cell: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
