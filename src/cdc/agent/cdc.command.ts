/** `sightline cdc`: the binlog agent as a command — options, logger, signals, exit codes. */
import { createLogger } from '../../observe/logger.ts';
import { runAgent } from './agent.ts';
import { BootstrapError } from './bootstrap.ts';
import { BinlogUnavailableError } from './mysql-connection.ts';
import { CDC_HELP, OptionsError, parseCdcOptions } from './options.ts';
import { PreflightError } from './preflight.ts';
import { StateLockError } from './state-lock.ts';

export { CDC_HELP };

/** Errors a user fixes by changing a flag or the database's settings: printed as the fix, without a stack. */
const USER_ERRORS = [OptionsError, PreflightError, StateLockError, BootstrapError, BinlogUnavailableError];

export async function runCdcCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseCdcOptions>;
  try {
    parsed = parseCdcOptions(argv, env);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    process.stderr.write(
      `sightline cdc: ${err.message.replaceAll('\n', '\nsightline cdc: ')}\n(see sightline cdc --help)\n`,
    );
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(CDC_HELP);
    return 0;
  }
  const options = parsed.options;
  const logger = createLogger(options.logLevel).child({ stage: 'cdc' });
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      // Nothing is lost by leaving now: the spool and the checkpoint are on disk.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'stopping: finishing the request in flight, spooling what was read');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runAgent(options, logger, stop.signal);
    logger.info('stopped cleanly');
    return 0;
  } catch (err) {
    if (USER_ERRORS.some((type) => err instanceof type)) {
      process.stderr.write(`sightline cdc: ${(err as Error).message}\n`);
      return 2;
    }
    logger.fatal({ err: (err as Error).message, stack: (err as Error).stack }, 'sightline cdc failed');
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // A driver socket that lingers must not keep a finished agent alive (systemd would see it hang on stop).
    setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
  }
}
