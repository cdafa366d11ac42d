// The pieces of erasure that need no store: who a request names, the audit's hash, days folded into ranges, the
// write gate's ordering, and the CLI's refusals (before it opens anything).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dayRanges } from '../../src/privacy/erasure-plan.ts';
import { PrivacyError } from '../../src/privacy/errors.ts';
import { parseSubject, sessionHash, subjectHash } from '../../src/privacy/subject.ts';
import { SuppressionList } from '../../src/privacy/suppressions.ts';
import { createWriteGate } from '../../src/privacy/write-gate.ts';
import type { Store } from '../../src/store/store.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const PROJECTS = ['shop', 'app'];

describe('parseSubject', () => {
  it('takes a user id as it is, and a visitor id in canonical decimal', () => {
    assert.deepEqual(parseSubject('shop', undefined, "a/b'c@x", PROJECTS), {
      project: 'shop',
      type: 'user_id',
      id: "a/b'c@x",
    });
    assert.equal(parseSubject('shop', 'visitor_id', '007', PROJECTS).id, '7');
    assert.equal(
      parseSubject('shop', 'visitor_id', '18446744073709551615', PROJECTS).id,
      '18446744073709551615',
    );
  });

  it('refuses unknown projects, kinds, empty, too long and non-numeric visitor ids with 400', () => {
    const cases: Array<[string | undefined, string | undefined, string | undefined, string]> = [
      [undefined, undefined, 'x', 'project'],
      ['nope', undefined, 'x', 'project'],
      ['shop', 'email', 'x', 'by'],
      ['shop', undefined, '', 'user_id'],
      ['shop', undefined, 'x'.repeat(1025), 'user_id'],
      ['shop', 'visitor_id', 'abc', 'visitor_id'],
      ['shop', 'visitor_id', '0', 'visitor_id'],
      ['shop', 'visitor_id', '18446744073709551616', 'visitor_id'],
    ];
    for (const [project, by, id, param] of cases)
      assert.throws(
        () => parseSubject(project, by, id, PROJECTS),
        (err: unknown) =>
          err instanceof PrivacyError &&
          err.statusCode === 400 &&
          err.code === 'PRIVACY_ERR_BAD_PARAMS' &&
          (err.details as Array<{ param: string }>).some((p) => p.param === param),
        JSON.stringify([project, by, id]),
      );
  });

  it('hashes project, kind and id as docs/privacy.md says', () => {
    const expected = createHash('sha256').update('shop\u0000user_id\u0000alice@example.com').digest('hex');
    assert.equal(subjectHash({ project: 'shop', type: 'user_id', id: 'alice@example.com' }), expected);
    assert.notEqual(subjectHash({ project: 'app', type: 'user_id', id: 'alice@example.com' }), expected);
  });
});

describe('dayRanges', () => {
  it('folds consecutive days into one range, in order', () => {
    const ms = (d: string) => Date.parse(`${d}T00:00:00Z`);
    assert.deepEqual(dayRanges(['2026-03-03', '2026-03-01', '2026-03-02', '2026-03-10']), [
      [ms('2026-03-01'), ms('2026-03-04')],
      [ms('2026-03-10'), ms('2026-03-11')],
    ]);
    assert.deepEqual(dayRanges([]), []);
  });
});

describe('write gate', () => {
  it('lets running inserts finish, holds new ones until the work is done, and passes everything else', async () => {
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const store = {
      insert: (table: string) => {
        order.push(`insert ${table} start`);
        return new Promise<void>((resolve) => {
          releases.push(() => {
            order.push(`insert ${table} end`);
            resolve();
          });
        });
      },
      query: async () => {
        order.push('query');
        return [];
      },
    } as unknown as Store;
    const gate = createWriteGate();
    const gated = gate.wrap(store);
    const first = gated.insert('a', [], 't');
    let workStarted!: () => void;
    const started = new Promise<void>((r) => {
      workStarted = r;
    });
    let finishWork!: () => void;
    const held = gate.hold(async () => {
      order.push('work start');
      workStarted();
      await new Promise<void>((r) => {
        finishWork = r;
      });
      order.push('work end');
    });
    const second = gated.insert('b', [], 't');
    await gated.query('SELECT 1');
    assert.deepEqual(order, ['insert a start', 'query'], 'the work waits for the running insert');
    releases[0]();
    await first;
    await started;
    assert.deepEqual(order.slice(2), ['insert a end', 'work start'], 'the new insert waits for the work');
    finishWork();
    await held;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order.slice(4), ['work end', 'insert b start']);
    releases[1]();
    await second;
  });

  it('runs a guarded batch whole: an erasure waits for it, the next batch waits for the erasure, and counts', async () => {
    const gate = createWriteGate();
    const order: string[] = [];
    let endBatch!: () => void;
    const batch = gate.guard(async () => {
      order.push('batch 1 start');
      await new Promise<void>((r) => {
        endBatch = r;
      });
      order.push('batch 1 end');
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(gate.generation(), 0);
    const erasure = gate.hold(async () => {
      order.push('erasure');
    });
    const next = gate.guard(async () => {
      order.push('batch 2');
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['batch 1 start'], 'the erasure waits for the batch in flight');
    endBatch();
    await Promise.all([batch, erasure, next]);
    assert.deepEqual(order, ['batch 1 start', 'batch 1 end', 'erasure', 'batch 2']);
    assert.equal(gate.generation(), 1, 'one erasure ended');
  });
});

describe('sightline erase / export-person', () => {
  const run = (args: string[]) => {
    const { dir, cleanup } = tempDir('privacy-cli');
    try {
      return spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', SIGHTLINE_DATA_DIR: dir, SIGHTLINE_PROJECTS: 'shop' },
        encoding: 'utf8',
      });
    } finally {
      cleanup();
    }
  };

  it('teaches with --help', () => {
    const erase = run(['erase', '--help']);
    assert.equal(erase.status, 0);
    assert.match(erase.stdout, /--user-id ID/);
    assert.match(erase.stdout, /--yes/);
    assert.match(erase.stdout, /export-person/);
    assert.match(erase.stdout, /--match KEY=VALUE/);
    assert.match(erase.stdout, /SIGHTLINE_ARCHIVE_DIR/);
    const exp = run(['help', 'export-person']);
    assert.equal(exp.status, 0);
    assert.match(exp.stdout, /--out FILE/);
    assert.match(run(['--help']).stdout, /erase {6}Remove one person's rows/);
  });

  it('refuses to erase without --yes, with both or neither id, or an unknown project: exit 2', () => {
    const cases = [
      ['erase', '--project', 'shop', '--user-id', 'alice'],
      ['erase', '--project', 'shop', '--yes'],
      ['erase', '--project', 'shop', '--user-id', 'a', '--visitor-id', '1', '--yes'],
      ['export-person', '--project', 'nope', '--user-id', 'alice'],
      ['export-person', '--project', 'shop', '--visitor-id', 'abc'],
    ];
    for (const args of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /see sightline (erase|export-person) --help/);
    }
    assert.match(run(cases[0]).stderr, /cannot be undone; add --yes/);
  });
});

describe("an erasure's marker (SuppressionList.addErasure)", () => {
  const at = Date.parse('2026-11-01T12:00:00Z');
  const list = new SuppressionList({} as Store);
  list.addErasure(subjectHash({ project: 'shop', type: 'user_id', id: 'alice' }), at, [
    sessionHash('shop', 'alice-visit'),
  ]);
  const before = '2026-11-01T11:59:59.999Z';
  const after = '2026-11-01T12:00:00.000Z';

  it('drops what the person sent before the erasure, not after', () => {
    assert.ok(list.has({ project: 'shop', user_id: 'alice', received_at: before }));
    assert.ok(!list.has({ project: 'shop', user_id: 'alice', received_at: after }));
    assert.ok(!list.has({ project: 'app', user_id: 'alice', received_at: before }), 'in its project only');
    assert.ok(!list.has({ project: 'shop', user_id: 'bob', received_at: before }));
  });

  it("drops the anonymous events of the person's erased visits received before it", () => {
    const anonymous = { project: 'shop', user_id: '', received_at: before };
    assert.ok(list.has({ ...anonymous, session_id: 'alice-visit' }));
    assert.ok(!list.has({ ...anonymous, session_id: 'bob-visit' }));
    assert.ok(!list.has({ ...anonymous, session_id: 'alice-visit', received_at: after }));
    assert.ok(!list.has(anonymous));
  });
});
