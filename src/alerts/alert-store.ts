/** What alerts and reports keep in the store (migration 010): dashboard rules, rule states, history, reports sent. */

import { randomUUID } from 'node:crypto';
import { isoFromClickHouse, toClickHouseTime } from '../store/clickhouse-time.ts';
import { nextRowVersion } from '../store/row-version.ts';
import type { Store } from '../store/store.ts';
import { type AlertRule, parseRule } from './alert-rules.ts';

export type AlertStateName = 'ok' | 'firing';

export interface RuleState {
  state: AlertStateName;
  value: number | null;
  since: string;
  checked_at: string;
}

export interface HistoryEntry {
  at: string;
  rule_id: string;
  rule_name: string;
  project: string;
  state: 'firing' | 'resolved' | 'test';
  value: number | null;
  threshold: number | null;
  message: string;
  delivery: string;
}

export function createAlertStore(store: Store) {
  return {
    async listRules(): Promise<AlertRule[]> {
      const rows = await store.query<{ id: string; rule: string }>(
        'SELECT id, rule FROM alert_rules FINAL WHERE NOT deleted ORDER BY updated_at',
      );
      return rows.flatMap((r) => {
        const rule = parseRule(JSON.parse(r.rule), r.id, [], 'dashboard');
        return rule ? [{ ...rule, id: r.id }] : [];
      });
    },

    /** A new dashboard rule gets a fresh id (`d-…`), so it never collides with a rule from the config. */
    async addRule(rule: AlertRule, by: string): Promise<AlertRule> {
      const id = `d-${randomUUID().slice(0, 8)}`;
      const { origin: _origin, ...stored } = { ...rule, id };
      await this.writeRule(id, JSON.stringify(stored), by, false);
      return { ...rule, id, origin: 'dashboard' };
    },

    async deleteRule(id: string, by: string): Promise<boolean> {
      const [row] = await store.query<{ rule: string }>(
        'SELECT rule FROM alert_rules FINAL WHERE id = {id:String} AND NOT deleted',
        { id },
      );
      if (!row) return false;
      await this.writeRule(id, row.rule, by, true);
      return true;
    },

    async writeRule(id: string, rule: string, by: string, deleted: boolean): Promise<void> {
      const version = nextRowVersion();
      await store.insert(
        'alert_rules',
        [{ id, rule, created_by: by, updated_at: new Date().toISOString(), deleted, version }],
        `alert-rule:${id}:${version}`,
      );
    },

    async states(): Promise<Map<string, RuleState>> {
      const rows = await store.query<Record<string, string | number | null>>(
        `SELECT rule_id, state, value, toString(since) AS since, toString(checked_at) AS checked
         FROM alert_state FINAL`,
      );
      return new Map(
        rows.map((r) => [
          String(r.rule_id),
          {
            state: r.state === 'firing' ? 'firing' : 'ok',
            value: r.value === null ? null : Number(r.value),
            since: isoFromClickHouse(String(r.since)),
            checked_at: isoFromClickHouse(String(r.checked)),
          },
        ]),
      );
    },

    async setState(ruleId: string, state: RuleState): Promise<void> {
      const version = nextRowVersion();
      await store.insert(
        'alert_state',
        [{ rule_id: ruleId, ...state, version }],
        `alert-state:${ruleId}:${version}`,
      );
    },

    async addHistory(entry: HistoryEntry): Promise<void> {
      await store.insert('alert_history', [entry], `alert-history:${entry.rule_id}:${nextRowVersion()}`);
    },

    async history(limit: number, ruleId?: string): Promise<HistoryEntry[]> {
      const rows = await store.query<Record<string, string | number | null>>(
        `SELECT toString(at) AS at, rule_id, rule_name, project, state, value, threshold, message, delivery
         FROM alert_history ${ruleId ? 'WHERE rule_id = {rule:String}' : ''}
         ORDER BY at DESC LIMIT {limit:UInt32}`,
        { limit, ...(ruleId ? { rule: ruleId } : {}) },
      );
      return rows.map((r) => ({
        ...(r as unknown as HistoryEntry),
        at: isoFromClickHouse(String(r.at)),
        value: r.value === null ? null : Number(r.value),
        threshold: r.threshold === null ? null : Number(r.threshold),
      }));
    },

    /** The start (ms) of the latest period a report was sent for, or undefined. */
    async lastReport(reportId: string): Promise<number | undefined> {
      const [row] = await store.query<{ start: string | null }>(
        `SELECT toString(max(period_start)) AS start, count() AS n FROM report_runs
         WHERE report_id = {id:String} HAVING n > 0`,
        { id: reportId },
      );
      return row?.start ? Date.parse(isoFromClickHouse(row.start)) : undefined;
    },

    async recordReport(reportId: string, startMs: number, endMs: number, to: string[]): Promise<void> {
      await store.insert(
        'report_runs',
        [
          {
            report_id: reportId,
            period_start: toClickHouseTime(startMs),
            period_end: toClickHouseTime(endMs),
            sent_at: new Date().toISOString(),
            recipients: to.join(', '),
          },
        ],
        `report:${reportId}:${startMs}`,
      );
    },
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;
