import { CliIo, run } from '../../src/cli/main';

/** Runs a command of the CLI in-process that needs no cluster: its exit code, never a promise. */
export function runNow(argv: readonly string[], io: CliIo): number {
  const status = run(argv, io);
  if (typeof status !== 'number') throw new Error(`cdk8s-trading ${argv.join(' ')} answered asynchronously`);
  return status;
}
