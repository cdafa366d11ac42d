// `sightline seed` as a user meets it: help, errors that name the flag, the progress on stderr, the summary, and
// what a second run says. Bad command lines are checked in-process (they fail before any store is opened); real
// runs are child processes, each with its own data folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runSeedCli } from '../../src/seed/seed.command.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const execFileAsync = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command in this process, with its output captured. */
async function seedInProcess(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await runSeedCli(args, env, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

/** `sightline …` as a child process. */
async function sightline(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('sightline seed --help', () => {
  it('teaches every option, from --help and from "help seed"', async () => {
    for (const args of [
      ['seed', '--help'],
      ['help', 'seed'],
    ]) {
      const r = await sightline(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: sightline seed \[options\]/);
      for (const flag of [
        '--project',
        '--days',
        '--events-per-day',
        '--seed',
        '--end',
        '--tz',
        '--replace',
        '--force',
        '--dry-run',
      ])
        assert.ok(r.stdout.includes(flag), `${flag} in the help`);
      assert.match(r.stdout, /Examples:/);
    }
  });

  it('is listed in the general help', async () => {
    const r = await sightline(['--help']);
    assert.match(r.stdout, /\n {2}seed {7}Fill a project with realistic demo traffic/);
  });
});

describe('sightline seed: bad command lines', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--days', '0'], /--days must be a whole number from 1 to 3,660 \(got "0"\)/],
    [['--days', 'a year'], /--days must be a whole number .*\(got "a year"\)/],
    [
      ['--events-per-day', '1.5'],
      /--events-per-day must be a whole number from 1 to 100,000,000 \(got "1.5"\)/,
    ],
    [['--seed', '-3'], /--seed needs a value, e.g. --seed 42/],
    [
      ['--tz', 'Mars/Olympus_Mons'],
      /--tz "Mars\/Olympus_Mons" is not a time zone; use an IANA name such as Europe\/Berlin/,
    ],
    [['--end', '2025-02-30'], /--end "2025-02-30" is not a date; write it as YYYY-MM-DD/],
    [['--end', 'yesterday'], /--end "yesterday" is not a date/],
    [['--project', 'no spaces please'], /--project "no spaces please" is not a valid project name/],
    [['--host', 'not a host'], /--host "not a host" is not a host name/],
    [['--dayz', '3'], /unknown option --dayz \(did you mean --days\?\)/],
    [['--frce'], /unknown option --frce \(did you mean --force\?\)/],
    [['--replace=yes'], /--replace takes no value/],
    [['30'], /unexpected argument "30"/],
    [['--days'], /--days needs a value, e.g. --days 365/],
  ];
  for (const [args, message] of cases)
    it(`${args.join(' ')} → exit 2 naming the flag`, async () => {
      const r = await seedInProcess(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^sightline seed: /);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Run "sightline seed --help" for the options\./);
      assert.equal(r.stdout, '');
    });

  it('refuses an end date in the future', async () => {
    const r = await seedInProcess(['--end', '2999-01-01', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--end 2999-01-01 is after today \(\d{4}-\d{2}-\d{2} in UTC\): seeded data never lies in the future/,
    );
  });

  it('refuses more than 10 billion events at once', async () => {
    const r = await seedInProcess(['--days', '3650', '--events-per-day', '5000000', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /over 10 billion events/);
  });

  it('says what it would write with --dry-run, and writes nothing', async () => {
    const r = await seedInProcess(['--days', '30', '--events-per-day', '1000', '--seed', '5', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Would seed project "demo" with about [\d,]+ events in [\d,]+ visits, \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} \(UTC, seed 5\)/,
    );
  });
});

describe('sightline seed: a run', () => {
  it('shows progress on stderr, a summary on stdout, and refuses to seed the project twice', async () => {
    const { dir, cleanup } = tempDir('seed-run');
    try {
      const env = { SIGHTLINE_DATA_DIR: dir, SIGHTLINE_STORE: 'chdb', SIGHTLINE_PROJECTS: 'app,website' };
      const args = ['seed', '--project', 'demo', '--days', '10', '--events-per-day', '3000', '--seed', '9'];
      const first = await sightline([...args, '--tz', 'Europe/Berlin'], env);
      assert.equal(first.code, 0, first.stderr);
      // Not a terminal: plain progress lines with the share done, the rate and the time left.
      assert.match(first.stderr, /Seeding demo: 0% \(0 \/ [\d,]+ events\), … events\/s, ETA …\n/);
      assert.match(
        first.stderr,
        /Seeding demo: 100% \(([\d,]+) \/ \1 events\), [\d.]+ [kM]? ?events\/s, done\n/,
      );
      assert.equal(
        first.stderr.includes('\r') || first.stderr.includes('\u001b['),
        false,
        'no terminal codes in a log',
      );
      assert.match(
        first.stdout,
        /^Seeded project "demo": \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} \(Europe\/Berlin\), seed 9\.\n/,
      );
      assert.match(first.stdout, /\n {2}[\d,]+ events in ~[\d,]+ visits by ~[\d,]+ visitors\n/);
      assert.match(first.stdout, /\n {2}[\d,]+ log lines, [\d,]+ database changes\n/);
      assert.match(first.stdout, /\n {2}written in [\d.]+ s: [\d.]+ [kM]? ?events\/s\n/);
      assert.match(
        first.stdout,
        /add "demo" under Settings → Sites \(or to SIGHTLINE_PROJECTS\) to pick it/,
        'hints at adding the site',
      );

      const again = await sightline(args, env);
      assert.equal(again.code, 1);
      assert.match(
        again.stderr,
        /sightline seed: project "demo" already holds [\d,]+ seeded events \(.+\); add --replace to delete them and seed again/,
      );

      // A site made in the dashboard is a project the dashboard lists: no hint any more. Written from a third
      // process: chDB opens one data folder per process.
      const script = `
        import { openStore } from ${JSON.stringify(path.join(ROOT, 'src/store/store.ts'))};
        import { writeSite } from ${JSON.stringify(path.join(ROOT, 'src/sites/site-store.ts'))};
        import { defaultSettings } from ${JSON.stringify(path.join(ROOT, 'src/sites/site-fields.ts'))};
        const store = openStore({ url: 'chdb', dataDir: ${JSON.stringify(dir)} });
        const now = Date.now();
        await writeSite(store, { name: 'demo', ...defaultSettings('demo'), managed: false, createdAt: now, updatedAt: now });
        await store.close();`;
      await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });

      const replaced = await sightline([...args, '--replace', '--quiet'], env);
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /replaced [\d,]+ events of the earlier seed/);
      assert.equal(replaced.stderr.includes('Seeding demo'), false, '--quiet shows no progress');
      assert.doesNotMatch(replaced.stdout, /to pick it/, 'the site of the store is known');
    } finally {
      cleanup();
    }
  });

  it('prints the random seed it chose, so the run can be repeated', async () => {
    const { dir, cleanup } = tempDir('seed-random');
    try {
      const r = await sightline(['seed', '--days', '1', '--events-per-day', '200', '--quiet'], {
        SIGHTLINE_DATA_DIR: dir,
        SIGHTLINE_STORE: 'chdb',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /seed \d+ — add --seed \d+ to repeat this run\./);
    } finally {
      cleanup();
    }
  });
});
