/**
 * Evaluates every rule (from the config and from the dashboard) at `now()`. A rule notifies once when it becomes
 * true (`firing`) and once when it becomes false again (`resolved`); in between nothing is repeated. The new state
 * is stored before the channels are called, so a crash or restart mid-notification never fires twice (a lost
 * notice shows in the history's delivery column instead).
 */
import type { Logger } from '../observe/logger.ts';
import type { Store } from '../store/store.ts';
import type { Channel } from './alert-channels.ts';
import type { AlertRule } from './alert-rules.ts';
import { type AlertStore, createAlertStore, type HistoryEntry, type RuleState } from './alert-store.ts';
import type { Mailer } from './email.channel.ts';
import { measureRule } from './rule-value.ts';
import { postWebhook, type WebhookOptions } from './webhook.channel.ts';

export interface AlertEngineDeps {
  store: Store;
  configRules: AlertRule[];
  mailer?: Mailer;
  logger: Logger;
  now?: () => number;
  timeoutMs?: number;
  /** The dashboard's address, for links. */
  publicUrl?: string;
  webhook?: WebhookOptions;
}

export interface Notice {
  rule: { id: string; name: string; kind: string; metric?: string };
  state: 'firing' | 'resolved' | 'test';
  value: number | null;
  threshold: number | null;
  project: string | null;
  message: string;
  at: string;
  link: string;
}

export function createAlertEngine(deps: AlertEngineDeps) {
  const now = deps.now ?? Date.now;
  const alerts: AlertStore = createAlertStore(deps.store);
  const ctx = { store: deps.store, timeoutMs: deps.timeoutMs ?? 30_000 };
  /** The latest evaluation of each rule in this process (the store holds the latest transition). */
  const checks = new Map<string, RuleState>();

  async function rules(): Promise<AlertRule[]> {
    return [...deps.configRules, ...(await alerts.listRules())];
  }

  function linkOf(rule: AlertRule): string {
    const base = deps.publicUrl ?? '';
    if (rule.kind === 'dead_letters') return `${base}/explore`;
    if (rule.metric === 'logs') return `${base}/logs?project=${encodeURIComponent(rule.project ?? '')}`;
    if (rule.source === 'db_changes')
      return `${base}/changes?project=${encodeURIComponent(rule.project ?? '')}`;
    return `${base}/?project=${encodeURIComponent(rule.project ?? '')}&period=today`;
  }

  async function deliver(channel: Channel, notice: Notice): Promise<string> {
    if (channel.type === 'webhook') {
      await postWebhook(channel.url, notice, deps.webhook);
      return `webhook ${channel.url} delivered`;
    }
    if (!deps.mailer) throw new Error('no SMTP server configured (SIGHTLINE_SMTP_URL)');
    const label = notice.state === 'firing' ? 'FIRING' : notice.state === 'resolved' ? 'RESOLVED' : 'TEST';
    await deps.mailer.send({
      to: channel.to,
      subject: `[Sightline] ${label}: ${notice.rule.name}${notice.project ? ` (${notice.project})` : ''}`,
      text: `${notice.rule.name}: ${notice.state}\n\n${notice.message}\n\nAt: ${notice.at}\nOpen: ${notice.link}\n`,
    });
    return `email ${channel.to.join(', ')} ok`;
  }

  async function notify(rule: AlertRule, notice: Notice): Promise<string[]> {
    const results = await Promise.all(
      rule.channels.map((c) =>
        deliver(c, notice).catch((err: Error) => {
          deps.logger.warn({ rule: rule.id, err: err.message }, 'alert notification failed');
          // Whoever saves a rule picks the webhook's URL: what the target answered (or that nothing listens
          // there) stays in the server's log, or the history would be a scanner of the internal network.
          return c.type === 'webhook'
            ? `webhook ${c.url} failed`
            : `email ${c.to.join(', ')} failed: ${err.message}`;
        }),
      ),
    );
    const entry: HistoryEntry = {
      at: notice.at,
      rule_id: rule.id,
      rule_name: rule.name,
      project: rule.project ?? '',
      state: notice.state,
      value: notice.value,
      threshold: notice.threshold,
      message: notice.message,
      delivery: results.join('\n'),
    };
    await alerts.addHistory(entry);
    return results;
  }

  function noticeOf(
    rule: AlertRule,
    state: Notice['state'],
    m: Awaited<ReturnType<typeof measureRule>>,
    at: number,
  ): Notice {
    return {
      rule: {
        id: rule.id,
        name: rule.name,
        kind: rule.kind,
        ...(rule.metric ? { metric: rule.metric } : {}),
      },
      state,
      value: m.value,
      threshold: m.threshold,
      project: rule.project ?? null,
      message: m.message,
      at: new Date(at).toISOString(),
      link: linkOf(rule),
    };
  }

  return {
    alerts,
    rules,

    /** Rules with their current state, for the API and the dashboard. */
    async rulesWithState(): Promise<Array<AlertRule & { state: RuleState | null }>> {
      const states = await alerts.states();
      return (await rules()).map((r) => ({ ...r, state: checks.get(r.id) ?? states.get(r.id) ?? null }));
    },

    /** One pass over every rule; returns the transitions it notified. */
    async evaluate(): Promise<Notice[]> {
      const at = now();
      const states = await alerts.states();
      const notices: Notice[] = [];
      for (const rule of await rules()) {
        let m: Awaited<ReturnType<typeof measureRule>>;
        try {
          m = await measureRule(ctx, rule, at);
        } catch (err) {
          deps.logger.warn(
            { rule: rule.id, err: (err as Error).message },
            'alert rule could not be evaluated',
          );
          continue;
        }
        const was = states.get(rule.id);
        const changed = m.firing !== (was?.state === 'firing');
        const iso = new Date(at).toISOString();
        const state: RuleState = {
          state: m.firing ? 'firing' : 'ok',
          value: m.value,
          since: changed || !was ? iso : was.since,
          checked_at: iso,
        };
        checks.set(rule.id, state);
        // Only transitions are written: one small insert per rule per minute would pile up parts for nothing.
        if (changed) await alerts.setState(rule.id, state);
        // A rule that starts out fine has nothing to resolve.
        if (!changed) continue;
        const notice = noticeOf(rule, m.firing ? 'firing' : 'resolved', m, at);
        await notify(rule, notice);
        notices.push(notice);
      }
      return notices;
    },

    /** Sends a test notice through the rule's channels with its current value; the state is left alone. */
    async test(ruleId: string): Promise<{ notice: Notice; delivery: string[] } | undefined> {
      const rule = (await rules()).find((r) => r.id === ruleId);
      if (!rule) return undefined;
      const at = now();
      const notice = noticeOf(rule, 'test', await measureRule(ctx, rule, at), at);
      return { notice, delivery: await notify(rule, notice) };
    },
  };
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
