// Rule, report and mail-server settings: what start-up accepts, and the messages that name what to fix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAlertRules, parseRule } from '../../src/alerts/alert-rules.ts';
import { lastCompletePeriod } from '../../src/alerts/report-period.ts';
import { parseMailFrom, parseReportSpecs, parseSmtpUrl } from '../../src/alerts/report-specs.ts';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { tempDir } from '../support/temp-dir.ts';

const hook = { type: 'webhook', url: 'https://hooks.example.com/x' };

function problemsOf(raw: unknown): string[] {
  const problems: string[] = [];
  parseRule(raw, 'r', problems, 'dashboard');
  return problems;
}

describe('alert rules', () => {
  it('accepts each kind, with defaults', () => {
    const rules = parseAlertRules(
      JSON.stringify([
        {
          name: 'Traffic low',
          kind: 'threshold',
          project: 'website',
          metric: 'visitors',
          below: 1,
          channels: [hook],
        },
        {
          name: 'Errors',
          kind: 'threshold',
          project: 'app',
          metric: 'logs',
          logs: { levels: 'error', text: 'timeout' },
          above: 5,
          windowMinutes: 5,
          channels: [{ type: 'email', to: 'ops@example.com' }],
        },
        {
          name: 'Drop',
          kind: 'change',
          project: 'website',
          metric: 'pageviews',
          dropPercent: 50,
          channels: [hook],
        },
        {
          id: 'cdc',
          name: 'Quiet',
          kind: 'no_events',
          project: 'app',
          source: 'db_changes',
          database: 'shop',
          minutes: 30,
          channels: [hook],
        },
        { name: 'DLQ', kind: 'dead_letters', channels: [hook] },
      ]),
    );
    assert.deepEqual(
      rules.map((r) => [r.id, r.kind, r.windowMinutes, r.origin]),
      [
        ['traffic-low', 'threshold', 60, 'config'],
        ['errors', 'threshold', 5, 'config'],
        ['drop', 'change', 60, 'config'],
        ['cdc', 'no_events', 60, 'config'],
        ['dlq', 'dead_letters', 60, 'config'],
      ],
    );
    assert.deepEqual(rules[1].logs, { levels: ['error'], text: 'timeout' });
    assert.deepEqual(rules[1].channels, [{ type: 'email', to: ['ops@example.com'] }]);
    assert.equal(rules[3].source, 'db_changes');
    assert.equal(rules[4].above, 0);
    assert.equal(rules[4].project, undefined);
  });

  it('names every problem with the field and the fix', () => {
    const p = problemsOf({ name: 'x', kind: 'threshold', project: 'w', metric: 'revenue', channels: [] });
    assert.ok(p.some((m) => m.startsWith('r.metric: must be one of visitors')));
    assert.ok(p.some((m) => m.includes('exactly one of "above" or "below"')));
    assert.ok(p.some((m) => m.startsWith('r.channels:')));
    assert.match(
      problemsOf({ name: 'x', kind: 'sometimes', project: 'w', channels: [hook] })[0],
      /^r\.kind: must be one of threshold, change, no_events, dead_letters/,
    );
    assert.match(
      problemsOf({
        name: 'x',
        kind: 'dead_letters',
        channels: [{ type: 'email', to: ['not-an-address'] }],
      })[0],
      /r\.channels\[0\]\.to: "not-an-address" is not an e-mail address/,
    );
    assert.match(
      problemsOf({ name: 'x', kind: 'dead_letters', channels: [{ type: 'webhook', url: 'ftp://x' }] })[0],
      /http\(s\) URL/,
    );
    assert.match(
      problemsOf({ name: 'x', kind: 'change', project: 'w', metric: 'visits', channels: [hook] })[0],
      /dropPercent/,
    );
    assert.match(
      problemsOf({ name: 'x', kind: 'no_events', project: 'w', channels: [hook] })[0],
      /r\.minutes: required/,
    );
    assert.match(
      problemsOf({ name: 'x', kind: 'dead_letters', colour: 'red', channels: [hook] })[0],
      /r\.colour: unknown field/,
    );
    assert.match(
      problemsOf({ kind: 'no_events', minutes: 5, channels: [hook] }).join(),
      /r\.name: required.*r\.project: required/,
    );
    assert.throws(() => parseAlertRules('{"name"'), /JSON list/);
    assert.throws(
      () =>
        parseAlertRules(
          JSON.stringify([
            { name: 'a', kind: 'dead_letters', channels: [hook] },
            { name: 'A', kind: 'dead_letters', channels: [hook] },
          ]),
        ),
      /two rules have the id "a"/,
    );
  });

  it('stops start-up naming the variable: unknown project, e-mail without a mail server', () => {
    const env = (extra: Record<string, string>) => ({
      SIGHTLINE_DATA_DIR: '/tmp/sightline-unused',
      ...extra,
    });
    const mail = [
      {
        name: 'a',
        kind: 'no_events',
        project: 'website',
        minutes: 5,
        channels: [{ type: 'email', to: ['a@b.c'] }],
      },
    ];
    const problems = (extra: Record<string, string>) => {
      try {
        loadConfig(env(extra));
        return [];
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
    };
    assert.deepEqual(
      problems({ SIGHTLINE_ALERTS: JSON.stringify(mail) }).map((p) => p.split(':')[0]),
      ['SIGHTLINE_SMTP_URL', 'SIGHTLINE_SMTP_FROM'],
    );
    assert.deepEqual(
      problems({
        SIGHTLINE_ALERTS: JSON.stringify(mail),
        SIGHTLINE_SMTP_URL: 'smtp://h:25',
        SIGHTLINE_SMTP_FROM: 'a@b.c',
      }),
      [],
    );
    assert.match(
      problems({ SIGHTLINE_ALERTS: JSON.stringify([{ ...mail[0], project: 'nope', channels: [hook] }]) })[0],
      /^SIGHTLINE_ALERTS: alerts\[0\]\.project "nope" is not in SIGHTLINE_PROJECTS/,
    );
    assert.match(
      problems({ SIGHTLINE_ALERTS: '[{"kind":"threshold"}]' })[0],
      /^SIGHTLINE_ALERTS: alerts\[0\]\.kind|^SIGHTLINE_ALERTS: .*alerts\[0\]/,
    );
    assert.match(
      problems({ SIGHTLINE_SMTP_URL: 'http://mail' })[0],
      /^SIGHTLINE_SMTP_URL: expected smtp:\/\//,
    );
    assert.match(
      problems({ SIGHTLINE_REPORTS: '[{"project":"website","every":"day","to":["a@b.c"]}]' })[0],
      /^SIGHTLINE_REPORTS: reports\[0\]\.every/,
    );
  });
});

describe('alerts in a YAML config file', () => {
  it('reads the alerts: and reports: keys as lists of objects', () => {
    const { dir, cleanup } = tempDir('alerts-yaml');
    try {
      const file = path.join(dir, 'sightline.yaml');
      fs.writeFileSync(
        file,
        [
          'smtpUrl: smtp://mail.example.com:587',
          'smtpFrom: Sightline <alerts@example.com>',
          'alerts:',
          '  - name: Website traffic stopped',
          '    kind: threshold',
          '    project: website',
          '    metric: visitors',
          '    windowMinutes: 15',
          '    below: 1',
          '    channels:',
          '      - { type: email, to: [ops@example.com] }',
          'reports:',
          '  - { project: website, every: week, to: [team@example.com], tz: Europe/Berlin }',
          '',
        ].join('\n'),
      );
      const config = loadConfig({ SIGHTLINE_CONFIG: file, SIGHTLINE_DATA_DIR: dir });
      assert.deepEqual(
        config.alerts.map((r) => [r.id, r.windowMinutes, r.below, r.channels]),
        [['website-traffic-stopped', 15, 1, [{ type: 'email', to: ['ops@example.com'] }]]],
      );
      assert.deepEqual(config.reports, [
        {
          id: 'website-week',
          project: 'website',
          every: 'week',
          to: ['team@example.com'],
          tz: 'Europe/Berlin',
        },
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('reports and mail settings', () => {
  it('parses reports with defaults', () => {
    assert.deepEqual(parseReportSpecs('[{"project":"website","every":"month","to":"a@example.com"}]'), [
      { id: 'website-month', project: 'website', every: 'month', to: ['a@example.com'], tz: 'UTC' },
    ]);
    assert.throws(
      () => parseReportSpecs('[{"project":"w","every":"week","to":["a@b.c"],"tz":"Mars/Olympus"}]'),
      /reports\[0\]\.tz/,
    );
    assert.equal(parseSmtpUrl('smtps://u:p@mail.example.com:465'), 'smtps://u:p@mail.example.com:465');
    assert.throws(() => parseSmtpUrl('mail.example.com'), /smtp:\/\//);
    assert.equal(parseMailFrom('Sightline <alerts@example.com>'), 'Sightline <alerts@example.com>');
    assert.throws(() => parseMailFrom('Sightline'), /address like/);
  });

  it('reports the last whole week (Monday to Monday) and month in the report’s zone', () => {
    // Tuesday 10 March 2026, 08:00 UTC.
    const now = Date.UTC(2026, 2, 10, 8);
    const week = lastCompletePeriod('week', 'UTC', now);
    assert.equal(week.range.start, '2026-03-02 00:00:00.000');
    assert.equal(week.range.end, '2026-03-09 00:00:00.000');
    assert.equal(week.previous.start, '2026-02-23 00:00:00.000');
    // On Monday itself the week that just ended is reported.
    assert.equal(
      lastCompletePeriod('week', 'UTC', Date.UTC(2026, 2, 9, 0, 0, 1)).range.start,
      '2026-03-02 00:00:00.000',
    );
    // Berlin is UTC+1 in March before the switch: its Monday starts at 23:00 UTC on Sunday.
    assert.equal(lastCompletePeriod('week', 'Europe/Berlin', now).range.start, '2026-03-01 23:00:00.000');
    const month = lastCompletePeriod('month', 'UTC', Date.UTC(2026, 0, 15));
    assert.equal(month.range.start, '2025-12-01 00:00:00.000');
    assert.equal(month.range.end, '2026-01-01 00:00:00.000');
    assert.equal(month.previous.start, '2025-11-01 00:00:00.000');
    assert.equal(month.label, '2025-12');
  });
});
