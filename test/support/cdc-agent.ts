/** `sightline cdc` as a child process (the CLI a user runs), with its output collected for assertions. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { CDC_PASSWORD } from './mariadb.ts';
import { ROOT } from './server-process.ts';

export interface Agent {
  child: ChildProcess;
  /** stdout and stderr, interleaved. */
  output: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the agent with `args` after `cdc`; the database password comes from the environment, as documented. */
export function spawnCdcAgent(args: readonly string[]): Agent {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'cdc', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIGHTLINE_CDC_MYSQL_PASSWORD: CDC_PASSWORD,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, stderr: () => err, exited };
}
