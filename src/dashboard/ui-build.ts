/**
 * Building the dashboard's browser code (Vite + Preact) into `dist/ui`. Run by `npm ci` (the `prepare` script),
 * by `npm test`'s provisioning, and at start-up when the sources changed since the last build. The output is
 * written to a temporary folder and renamed into place, so a server never serves half a build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const UI_SOURCE = path.resolve(import.meta.dirname, 'ui');
export const UI_OUTPUT = path.resolve(import.meta.dirname, '../../dist/ui');
const STAMP = 'build.json';

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** A hash of every source file's path and content: robust where checkout times are not. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(UI_SOURCE))
    hash.update(path.relative(UI_SOURCE, file)).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

export function builtHash(): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(UI_OUTPUT, STAMP), 'utf8')) as { source: string }).source;
  } catch {
    return undefined;
  }
}

export function isUiFresh(): boolean {
  return fs.existsSync(UI_SOURCE)
    ? builtHash() === sourceHash()
    : fs.existsSync(path.join(UI_OUTPUT, 'index.html'));
}

/** Builds when needed; returns false when Vite is not installed (a production install without dev packages). */
export async function buildUi(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<boolean> {
  if (!options.force && isUiFresh()) return true;
  let vite: typeof import('vite');
  let preact: typeof import('@preact/preset-vite');
  try {
    vite = await import('vite');
    preact = await import('@preact/preset-vite');
  } catch {
    return false;
  }
  const source = sourceHash();
  const tmp = `${UI_OUTPUT}.tmp-${process.pid}-${Date.now()}`;
  const started = Date.now();
  options.log?.('building the dashboard …');
  await vite.build({
    root: UI_SOURCE,
    configFile: false,
    logLevel: 'warn',
    plugins: [preact.default()],
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2022',
      assetsDir: 'assets',
      reportCompressedSize: false,
    },
  });
  fs.writeFileSync(path.join(tmp, STAMP), JSON.stringify({ source, builtAt: new Date().toISOString() }));
  // Another process may have finished the same build meanwhile; the last rename wins, both are complete.
  fs.rmSync(UI_OUTPUT, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, UI_OUTPUT);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  options.log?.(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
