#!/usr/bin/env node
/** `sightline <command>`: the single entry point; the roles are wired in roles.ts, each other command in its own `*.command.ts`. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, unknownVariableWarnings } from '../config/config.ts';
import { createLogger, resolveLogFormat } from '../observe/logger.ts';
import { adminTokenFileOf, startBanner } from '../observe/start-banner.ts';
import { restrictUmask } from '../store/private-dir.ts';
import { configHelp, HELP } from './help.ts';

type RoleName = 'collect' | 'process' | 'api';

/** `serve` (every role) or one role; stops cleanly on SIGTERM/SIGINT. */
async function runRoles(name: string, roles?: RoleName[]): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, config.logFormat);
  for (const warning of unknownVariableWarnings(process.env)) logger.warn(warning);
  // Loaded on demand: `--help` and config errors should not wait for the embedded ClickHouse to load.
  const { ALL_ROLES, startRoles } = await import('./roles.ts');
  const playing = roles ? new Set(roles) : ALL_ROLES;
  const server = await startRoles(config, logger, playing, name);
  // A person at a terminal gets the essentials in one place; machines have them in the "is running" line.
  if (resolveLogFormat(config.logFormat) === 'pretty' && config.logLevel !== 'silent')
    process.stdout.write(
      startBanner({
        name,
        url: server.url,
        roles: [...playing],
        projects: server.projects(),
        adminTokenFile: adminTokenFileOf(config),
        dashboard: config.dashboard,
      }),
    );
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      logger.warn('second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: no new requests, flushing the last batch');
    const timer = setTimeout(() => {
      logger.error(
        { timeoutMs: config.shutdownTimeoutMs },
        'shutdown took too long; exiting (the log replays on start)',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    server.close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const COMMANDS: Record<string, () => Promise<void>> = {
  serve: () => runRoles('serve'),
  collect: () => runRoles('collect', ['collect']),
  process: () => runRoles('process', ['process']),
  api: () => runRoles('api', ['api']),
  migrate: async () => {
    // Loaded on demand, like the roles: the store pulls in the embedded ClickHouse.
    const { runMigrateCli } = await import('../store/migrate.command.ts');
    await runMigrateCli(process.env);
  },
  seed: seedCommand,
  backup: async () => {
    const { runBackupCli } = await import('./backup.command.ts');
    process.exitCode = await runBackupCli('backup', process.argv.slice(3), process.env);
  },
  restore: async () => {
    const { runBackupCli } = await import('./backup.command.ts');
    process.exitCode = await runBackupCli('restore', process.argv.slice(3), process.env);
  },
  forward: async () => {
    const { runForwardCli } = await import('../forward/forward.command.ts');
    process.exitCode = await runForwardCli(process.argv.slice(3), process.env);
  },
  replay: async () => {
    const { runReplayCli } = await import('./replay.command.ts');
    process.exitCode = await runReplayCli(process.argv.slice(3), process.env);
  },
  export: async () => {
    const { runExportCli } = await import('./export.command.ts');
    process.exitCode = await runExportCli(process.argv.slice(3), process.env);
  },
  erase: async () => {
    const { runPrivacyCli } = await import('../privacy/privacy.command.ts');
    process.exitCode = await runPrivacyCli('erase', process.argv.slice(3), process.env);
  },
  'export-person': async () => {
    const { runPrivacyCli } = await import('../privacy/privacy.command.ts');
    process.exitCode = await runPrivacyCli('export-person', process.argv.slice(3), process.env);
  },
  report: async () => {
    const { runReportCli } = await import('../alerts/report.command.ts');
    process.exitCode = await runReportCli(process.argv.slice(3), process.env);
  },
  cdc: async () => {
    // Loaded on demand: the agent pulls in the MySQL driver and the binlog reader, which no other command needs.
    const { runCdcCli } = await import('../cdc/agent/cdc.command.ts');
    process.exitCode = await runCdcCli(process.argv.slice(3), process.env);
  },
};

async function seedCommand(): Promise<void> {
  // Loaded on demand, like the roles: the seed pulls in the store and the enrichment tables.
  const { runSeedCli } = await import('../seed/seed.command.ts');
  process.exitCode = await runSeedCli(process.argv.slice(3), process.env);
}

/** Commands with a help text of their own: `sightline seed --help`, `sightline help seed`. */
const COMMAND_HELP: Record<string, () => Promise<string>> = {
  seed: async () => (await import('../seed/seed.command.ts')).SEED_HELP,
  export: async () => (await import('./export.command.ts')).EXPORT_HELP,
  report: async () => (await import('../alerts/report.command.ts')).REPORT_HELP,
  cdc: async () => (await import('../cdc/agent/options.ts')).CDC_HELP,
  replay: async () => (await import('./replay.command.ts')).REPLAY_HELP,
  forward: async () => (await import('../forward/forward.command.ts')).FORWARD_HELP,
  erase: async () => (await import('../privacy/privacy-help.ts')).ERASE_HELP,
  'export-person': async () => (await import('../privacy/privacy-help.ts')).EXPORT_PERSON_HELP,
  backup: async () => (await import('./backup.command.ts')).BACKUP_HELP,
  restore: async () => (await import('./backup.command.ts')).BACKUP_HELP,
};

async function main(argv: string[]): Promise<number> {
  // Before anything is written: the embedded store's files, exports and backups get no group/other bits either.
  restrictUmask();
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  const command = positionals[0];
  if (values.version) {
    process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return 0;
  }
  const topic = command === 'help' ? positionals[1] : command;
  if ((command === 'help' || values.help) && topic && COMMAND_HELP[topic]) {
    process.stdout.write(await COMMAND_HELP[topic]());
    return 0;
  }
  if (!command || command === 'help' || values.help) {
    process.stdout.write(command === 'config' || positionals[1] === 'config' ? configHelp() : HELP);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`sightline: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  await run();
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof ConfigError || (err as Error).name === 'RoleConfigError')
      process.stderr.write(`${(err as Error).message}\n`);
    else process.stderr.write(`sightline: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
