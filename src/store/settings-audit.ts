/**
 * `settings_audit` (migration 017): one row for every change an admin makes to a site's settings (sites, write
 * keys, goals, funnels), so "who changed this, and when" has an answer. Rows are only ever added.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from './store.ts';

export const SETTINGS_AUDIT_TABLE = 'settings_audit';

export interface SettingsChange {
  /** The account name, or `admin-token` for calls made with the admin token. */
  actor: string;
  /** Empty for changes that belong to no project. */
  project: string;
  /** `site`, `write_key`, `goal`, `funnel`, … */
  entity: string;
  entityId: string;
  /** `create`, `update`, `delete`, `rotate`, … */
  action: string;
  /** Human words; never a secret (a write key by its prefix only). */
  detail?: string;
}

export interface SettingsAuditRow {
  id: string;
  at: string;
  actor: string;
  project: string;
  entity: string;
  entity_id: string;
  action: string;
  detail: string;
}

export async function recordSettingsChange(
  store: Store,
  change: SettingsChange,
  now = Date.now(),
): Promise<void> {
  const id = randomUUID();
  await store.insert(
    SETTINGS_AUDIT_TABLE,
    [
      {
        id,
        at: new Date(now).toISOString(),
        actor: change.actor,
        project: change.project,
        entity: change.entity,
        entity_id: change.entityId,
        action: change.action,
        detail: change.detail ?? '',
      },
    ],
    `${SETTINGS_AUDIT_TABLE}:${id}`,
  );
}

/** Newest first; `project` narrows to one project's changes. */
export async function listSettingsChanges(
  store: Store,
  options: { limit: number; project?: string },
): Promise<SettingsAuditRow[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT id, toUnixTimestamp64Milli(at) AS at_ms, actor, project, entity, entity_id, action, detail
     FROM ${SETTINGS_AUDIT_TABLE}
     WHERE {project:String} = '' OR project = {project:String}
     ORDER BY at DESC, id LIMIT {limit:UInt32}`,
    { project: options.project ?? '', limit: options.limit },
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: new Date(Number(r.at_ms)).toISOString(),
    actor: String(r.actor),
    project: String(r.project),
    entity: String(r.entity),
    entity_id: String(r.entity_id),
    action: String(r.action),
    detail: String(r.detail),
  }));
}
