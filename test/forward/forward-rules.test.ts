import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { type ForwardEvent, toForwardEvent } from '../../src/forward/forward-event.ts';
import { matcherFor, sampleValue } from '../../src/forward/forward-rules.ts';
import { blankRow } from '../../src/process/event-row.ts';

function event(over: Partial<ForwardEvent> & { props?: Record<string, unknown> }): ForwardEvent {
  const row = blankRow();
  row.event_id = '0b6f1c9e-4a51-4b0e-9d55-0123456789ab';
  row.project = 'app';
  row.type = 'click';
  return { ...toForwardEvent(row), ...over };
}

function rules(list: unknown[]) {
  return parseForwardConfig(
    JSON.stringify({
      destinations: [{ name: 'd', type: 'webhook', url: 'http://127.0.0.1:9/' }],
      rules: list.map((r) => ({ destination: 'd', ...(r as object) })),
    }),
  ).rules;
}

describe('forwarding rules', () => {
  it('match by project, type and property conditions (all must hold)', () => {
    const m = matcherFor(
      'd',
      rules([
        { project: 'app', types: ['signup', 'purchase'], props: { plan: 'pro', amount: { is_not: 0 } } },
      ]),
    );
    assert.equal(m(event({ type: 'signup', props: { plan: 'pro', amount: 5 } })), true);
    assert.equal(m(event({ type: 'signup', props: { plan: 'pro', amount: 0 } })), false, 'is_not');
    assert.equal(m(event({ type: 'signup', props: { plan: 'free', amount: 5 } })), false, 'equality');
    assert.equal(m(event({ type: 'click', props: { plan: 'pro', amount: 5 } })), false, 'type');
    assert.equal(m(event({ type: 'signup', project: 'website', props: { plan: 'pro', amount: 5 } })), false);
  });

  it('contains and matches; a missing property never contains or matches', () => {
    const m = matcherFor(
      'd',
      rules([{ props: { email: { contains: '@acme.' } }, fields: { path: { matches: '^/pricing' } } }]),
    );
    assert.equal(m(event({ path: '/pricing/team', props: { email: 'a@acme.io' } })), true);
    assert.equal(m(event({ path: '/pricing', props: {} })), false);
    assert.equal(m(event({ path: '/docs', props: { email: 'a@acme.io' } })), false);
  });

  it('types are matched as stored: page view aliases are pageview', () => {
    const m = matcherFor('d', rules([{ types: ['page_view'] }]));
    assert.equal(m(event({ type: 'pageview' })), true);
  });

  it('any rule of the destination is enough; a destination without rules gets nothing', () => {
    const list = rules([{ types: ['a'] }, { types: ['b'] }]);
    assert.equal(matcherFor('d', list)(event({ type: 'b' })), true);
    assert.equal(matcherFor('other', list)(event({ type: 'b' })), false);
  });

  it('sampling is decided by the event id: the same choice every time, about the share asked for', () => {
    const m = matcherFor('d', rules([{ sample: 0.3 }]));
    let kept = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      const first = m(event({ event_id: id }));
      assert.equal(m(event({ event_id: id })), first);
      assert.equal(first, sampleValue(id) < 0.3);
      if (first) kept++;
    }
    // Binomial(4000, 0.3): sd ≈ 29; 5 sd either side.
    assert.ok(Math.abs(kept - 0.3 * n) < 150, `kept ${kept} of ${n}`);
    assert.equal(matcherFor('d', rules([{ sample: 0 }]))(event({})), false);
  });
});
