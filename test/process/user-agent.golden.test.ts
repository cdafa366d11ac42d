// Golden user agents (test/fixtures/user-agents.json, made by make-user-agents.ts from templates and hand-picked
// cases; expectations come from what each string is, never from the parser) through put-user-agent and put-bot.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Envelope } from '../../src/contract/envelope.ts';
import { blankRow } from '../../src/process/event-row.ts';
import { putBot } from '../../src/process/steps/put-bot.step.ts';
import { putUserAgent } from '../../src/process/steps/put-user-agent.step.ts';

interface Case {
  ua: string;
  hints?: Record<string, string>;
  expected: Record<string, string | boolean>;
  note?: string;
}

const cases = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../fixtures/user-agents.json'), 'utf8'),
) as Case[];

function enrich(c: Case): Record<string, unknown> {
  const envelope: Envelope = {
    v: 1,
    id: '00000000-0000-4000-8000-000000000000',
    receivedAt: 0,
    protocol: 'native',
    project: 'p',
    ip: '',
    ua: c.ua,
    headers: c.hints ?? {},
    count: 1,
    body: Buffer.alloc(0),
  };
  const row = blankRow();
  const context = { pageUrl: '', ip: '', ua: c.ua, anonymousId: '' };
  putUserAgent.run(row, envelope, context);
  putBot.run(row, envelope, context);
  return row as unknown as Record<string, unknown>;
}

describe('user agents (golden)', () => {
  it('has at least 150 cases covering every device type', () => {
    assert.ok(cases.length >= 150, `${cases.length} cases`);
    const types = new Set(cases.map((c) => c.expected.device_type));
    for (const t of ['desktop', 'mobile', 'tablet', 'tv', 'console', 'bot', 'server'])
      assert.ok(types.has(t), t);
  });

  for (const c of cases) {
    it(c.note ?? c.ua.slice(0, 70), () => {
      const row = enrich(c);
      const actual = Object.fromEntries(Object.keys(c.expected).map((k) => [k, row[k]]));
      assert.deepEqual(actual, c.expected);
    });
  }
});
