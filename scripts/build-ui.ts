// `npm run build:ui` (also `prepare`, so `npm ci` builds the dashboard): Vite → dist/ui. `--force` rebuilds.
import { buildUi, isUiFresh } from '../src/dashboard/ui-build.ts';

const force = process.argv.includes('--force');
if (!force && isUiFresh()) {
  process.stdout.write('[ui] dashboard is up to date (dist/ui)\n');
} else {
  const built = await buildUi({ force, log: (line) => process.stdout.write(`[ui] ${line}\n`) });
  if (!built) {
    process.stdout.write('[ui] Vite is not installed (production install); the dashboard is not rebuilt\n');
  }
}
