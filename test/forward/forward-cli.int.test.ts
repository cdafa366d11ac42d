import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deadLetterFilter } from '../../src/forward/forward.routes.ts';
import { parseSince } from '../../src/forward/since.ts';
import { freePort } from '../support/free-port.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');

describe('sightline forward', () => {
  it('--help teaches the commands, and the main help lists them', () => {
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8' });
    const help = run('forward', '--help');
    assert.match(help, /Usage: sightline forward <retry\|list>/);
    assert.match(help, /--destination NAME/);
    assert.match(help, /forward_dead_letters/);
    assert.equal(run('help', 'forward'), help);
    assert.match(run('--help'), /forward +Dead letters of forwarding/);
  });

  it('--since takes ages, days and ISO times', () => {
    const now = Date.UTC(2026, 11, 4, 12);
    assert.equal(parseSince('6h', now), now - 6 * 3_600_000);
    assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
    assert.equal(parseSince('30m', now), now - 30 * 60_000);
    assert.equal(parseSince('2026-12-01', now), Date.UTC(2026, 11, 1));
    assert.equal(parseSince('2026-12-01T10:00:00Z', now), Date.UTC(2026, 11, 1, 10));
    assert.equal(parseSince('last week', now), undefined);
  });

  it('the endpoints check their filter and say what is wrong', () => {
    assert.deepEqual(deadLetterFilter({}), { limit: 10_000 });
    assert.throws(
      () => deadLetterFilter({ since: 'soon', limit: '0' }),
      (err: Error & { code?: string; statusCode?: number }) =>
        err.code === 'FORWARD_ERR_BAD_PARAMS' && err.statusCode === 400 && /since/.test(err.message),
    );
  });

  it('without a running server it opens the store itself', async () => {
    const { dir, cleanup } = tempDir('forward-cli');
    try {
      const env = {
        ...process.env,
        SIGHTLINE_DATA_DIR: dir,
        SIGHTLINE_PORT: String(await freePort()),
        SIGHTLINE_FORWARD: JSON.stringify({
          destinations: [{ name: 'crm', type: 'webhook', url: 'http://127.0.0.1:9/' }],
        }),
      };
      const run = (...args: string[]) =>
        execFileSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'forward', ...args], {
          encoding: 'utf8',
          env,
        });
      assert.match(run('list'), /^0 dead letter\(s\) waiting\.$/m);
      assert.match(run('retry', '--destination', 'crm'), /No dead letters to retry\./);
    } finally {
      cleanup();
    }
  });
});
