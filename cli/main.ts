/**
 * The `rexsweep` command. Each verb lives in cli/commands/; this file only wires them and
 * turns typed errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, InputError, RexsweepError } from '../recsys/errors.ts';
import { registerCellCommand } from './commands/cell.ts';
import { registerControlCommands } from './commands/control.ts';
import { registerDevCommand } from './commands/dev.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerSetupCommand } from './commands/setup.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerTeamCommand } from './commands/team.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { EXIT } from './exit-codes.ts';

const program = new Command()
  .name('rexsweep')
  .description('Robust explainable recommendation sweeps: EFM and CER under FGSM attack and adversarial training')
  .exitOverride();

registerCellCommand(program);
registerPlanCommand(program);
registerRunCommand(program);
registerStatusCommand(program);
registerReportCommand(program);
registerControlCommands(program);
registerWorkerCommand(program);
registerDevCommand(program);
registerTeamCommand(program);
registerSetupCommand(program);
registerDoctorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  if (err instanceof ConfigError || err instanceof InputError) {
    process.stderr.write(`rexsweep: ${err.message}\n`);
    return EXIT.badInput;
  }
  if (err instanceof RexsweepError) {
    process.stderr.write(`rexsweep: ${err.message}\n`);
    return EXIT.failed;
  }
  process.stderr.write(`rexsweep: unexpected error\n${err instanceof Error ? err.stack : String(err)}\n`);
  return EXIT.failed;
}
