// Runs before `npm test` (npm's pretest): installs what the suites need from Debian's packages when missing.
// Today: Chromium for the tracker's browser tests. Needs root (CI and the project's machines run as root).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [{ binary: '/usr/bin/chromium', packages: ['chromium'], why: 'browser tests of the tracker' }];

const missing = NEEDS.filter((n) => !existsSync(n.binary));
if (missing.length > 0) {
  const packages = missing.flatMap((n) => n.packages);
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `npm test needs ${missing.map((n) => `${n.binary} (${n.why})`).join(', ')}.\nInstall it once: sudo apt-get install -y ${packages.join(' ')}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`[provision] installing ${packages.join(', ')} from Debian's packages …\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
}
process.stdout.write('[provision] test dependencies present\n');
