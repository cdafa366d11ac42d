/**
 * Saved funnels per project (table `saved_funnels`, migration 019): a name, the steps and the window exactly as
 * `GET /api/v1/stats/funnel` takes them, so picking one in the dashboard is running that query.
 */

import { randomUUID } from 'node:crypto';
import type { FunnelStep } from '../query/api-types.ts';
import type { ParamProblem } from '../query/errors.ts';
import { parseSteps, parseWindow } from '../query/queries/funnel.query.ts';
import { nextRowVersion } from '../store/row-version.ts';
import { recordSettingsChange } from '../store/settings-audit.ts';
import type { Store } from '../store/store.ts';
import { badInput, type FieldProblem } from './errors.ts';
import { hasControl, MAX_NAME } from './goal-input.ts';

export const FUNNELS_TABLE = 'saved_funnels';
/** A project's saved funnels are a short list people pick from, not a store of their own. */
export const MAX_FUNNELS_PER_PROJECT = 200;

export interface SavedFunnel {
  id: string;
  project: string;
  name: string;
  steps: FunnelStep[];
  window: string;
  created_by: string;
  updated_at: string;
}

/** The body of `POST /api/v1/funnels`, checked with the funnel route's own parsers. */
/**
 * A saved funnel as the schema lets it through (src/goals/goal-schemas.ts): the name's length and control characters,
 * the steps and the window as the funnel query reads them.
 */
export function parseFunnelInput(
  body: { name?: string; steps?: unknown[]; window?: unknown },
  problems: FieldProblem[],
): { name: string; steps: FunnelStep[]; window: string } | undefined {
  const name = body.name?.trim() ?? '';
  if (name === '' || name.length > MAX_NAME || hasControl(name))
    problems.push({ field: 'name', message: `a name of 1 to ${MAX_NAME} characters is required` });
  const asked: ParamProblem[] = [];
  const steps = parseSteps(body.steps === undefined ? undefined : JSON.stringify(body.steps), asked);
  const window = typeof body.window === 'string' ? body.window : '1d';
  parseWindow(window, asked);
  for (const p of asked) problems.push({ field: p.param, message: p.message });
  // Only the fields the query reads are kept: a step is {page} or {event, props}.
  const clean = steps.map((s) =>
    s.page !== undefined ? { page: s.page } : { event: s.event, ...(s.props ? { props: s.props } : {}) },
  );
  return problems.length === 0 ? { name, steps: clean, window } : undefined;
}

export function createSavedFunnels(store: Store) {
  async function list(project: string): Promise<SavedFunnel[]> {
    const rows = await store.query<Record<string, string>>(
      `SELECT id, project, name, steps, funnel_window, created_by, toUnixTimestamp64Milli(updated_at) AS updated_ms
       FROM ${FUNNELS_TABLE} FINAL WHERE project = {project:String} AND NOT deleted ORDER BY name, id`,
      { project },
    );
    return rows.map((r) => ({
      id: String(r.id),
      project: String(r.project),
      name: String(r.name),
      steps: JSON.parse(String(r.steps)) as FunnelStep[],
      window: String(r.funnel_window),
      created_by: String(r.created_by),
      updated_at: new Date(Number(r.updated_ms)).toISOString(),
    }));
  }

  async function write(f: SavedFunnel, deleted: boolean): Promise<void> {
    const version = nextRowVersion();
    await store.insert(
      FUNNELS_TABLE,
      [
        {
          id: f.id,
          project: f.project,
          name: f.name,
          steps: JSON.stringify(f.steps),
          funnel_window: f.window,
          created_by: f.created_by,
          updated_at: f.updated_at,
          deleted,
          version,
        },
      ],
      `funnel:${f.id}:${version}`,
    );
  }

  return {
    list,

    async get(id: string): Promise<SavedFunnel | undefined> {
      const [row] = await store.query<{ project: string }>(
        `SELECT project FROM ${FUNNELS_TABLE} FINAL WHERE id = {id:String} AND NOT deleted`,
        { id },
      );
      return row ? (await list(row.project)).find((f) => f.id === id) : undefined;
    },

    async create(
      project: string,
      input: { name: string; steps: FunnelStep[]; window: string },
      actor: string,
    ): Promise<SavedFunnel> {
      const existing = await list(project);
      if (existing.some((f) => f.name === input.name))
        throw badInput([
          { field: 'name', message: `project "${project}" has a funnel named "${input.name}" already` },
        ]);
      if (existing.length >= MAX_FUNNELS_PER_PROJECT)
        throw badInput([
          { field: 'project', message: `at most ${MAX_FUNNELS_PER_PROJECT} saved funnels per project` },
        ]);
      const funnel: SavedFunnel = {
        id: randomUUID(),
        project,
        ...input,
        created_by: actor,
        updated_at: new Date().toISOString(),
      };
      await write(funnel, false);
      await recordSettingsChange(store, {
        actor,
        project,
        entity: 'funnel',
        entityId: funnel.id,
        action: 'create',
        detail: `${funnel.name} (${funnel.steps.length} steps, within ${funnel.window})`,
      });
      return funnel;
    },

    remove,

    /** The saved funnels of a deleted site, each with its audit row. */
    async removeProject(project: string, actor: string): Promise<number> {
      const gone = await list(project);
      for (const f of gone) await remove(f, actor);
      return gone.length;
    },
  };

  async function remove(funnel: SavedFunnel, actor: string): Promise<void> {
    await write({ ...funnel, updated_at: new Date().toISOString() }, true);
    await recordSettingsChange(store, {
      actor,
      project: funnel.project,
      entity: 'funnel',
      entityId: funnel.id,
      action: 'delete',
      detail: funnel.name,
    });
  }
}

export type SavedFunnels = ReturnType<typeof createSavedFunnels>;
