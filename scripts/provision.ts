// Runs before `npm test` (npm's pretest): installs what the suites need from Debian's packages when missing.
// Chromium (browser tests of the tracker and dashboard), nginx (the scale-out test in front of the collectors),
// rsyslog with its Kafka output (a real shipper writing to the test broker), docker-compose (validates the
// compose file; no engine).
// Needs root (CI and the project's machines run as root).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [
  { binary: '/usr/bin/chromium', packages: ['chromium'], why: 'browser tests of the tracker and dashboard' },
  {
    binary: `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/rsyslog/omkafka.so`,
    packages: ['rsyslog', 'rsyslog-kafka'],
    why: 'a real log shipper writing to Kafka (rsyslog omkafka)',
  },
  {
    binary: '/usr/bin/docker-compose',
    packages: ['docker-compose'],
    why: 'validating deploy/docker-compose.yml (no Docker engine needed)',
  },
  {
    binary: '/usr/sbin/nginx',
    packages: ['nginx'],
    why: 'the scale-out test (nginx in front of the collectors)',
  },
  {
    binary: '/usr/sbin/mariadbd',
    packages: ['mariadb-server'],
    why: 'the CDC agent tests (a private MariaDB with its binlog on)',
  },
];

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
