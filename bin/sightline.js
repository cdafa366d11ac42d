#!/usr/bin/env node
// Entry of `npx sightline` and of a global install. Sightline runs its TypeScript directly, which needs Node ≥ 24;
// when started by an older Node (e.g. the system's), it re-runs itself with the Node pinned in its dependencies.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  // Node refuses to strip types under node_modules, so an installed package runs its compiled copy (built by
  // `npm pack`); a checkout runs the TypeScript sources directly.
  const installed = import.meta.url.includes('/node_modules/');
  const compiled = new URL('../dist/cli/main.js', import.meta.url);
  await import(installed && existsSync(compiled) ? compiled.href : '../src/cli/main.ts');
} else {
  const require = createRequire(import.meta.url);
  let pinned;
  try {
    pinned = require.resolve('node/bin/node');
  } catch {
    pinned = undefined;
  }
  if (!pinned || !existsSync(pinned)) {
    process.stderr.write(
      `sightline needs Node.js 24 or newer (this is ${process.version}), and the pinned one is not installed. ` +
        'Run `npm ci` in the checkout, or install Node.js 24.\n',
    );
    process.exit(1);
  }
  const child = spawn(pinned, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
