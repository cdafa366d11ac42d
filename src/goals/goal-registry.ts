/**
 * Every project's goals: those of SIGHTLINE_GOALS ("managed by configuration", read-only) and those made in the
 * dashboard (table `goals`, migration 019). The stats routes read them through `goalsOf(project)`, from memory;
 * the table is read again every few seconds (other api processes' changes) and at once after a change made here.
 * Goals are query conditions, so a goal applies to every stored event as soon as it is listed.
 */

import { randomUUID } from 'node:crypto';
import type { Logger } from '../observe/logger.ts';
import type { GoalPropertyCondition, GoalSpec } from '../query/goal-spec.ts';
import { nextRowVersion } from '../store/row-version.ts';
import { recordSettingsChange } from '../store/settings-audit.ts';
import type { Store } from '../store/store.ts';
import { badInput, managedByConfig, notFound } from './errors.ts';
import { definitionKey, type GoalInput } from './goal-input.ts';
import type { GoalsConfig } from './goals.settings.ts';

export const GOALS_TABLE = 'goals';
const REFRESH_MS = 5_000;

export interface GoalEntry extends GoalSpec {
  id: string;
  project: string;
  conditions: readonly GoalPropertyCondition[];
  /** `config`: from SIGHTLINE_GOALS, read-only; `dashboard`: stored, editable. */
  managed: 'config' | 'dashboard';
  created_by: string;
  updated_at: string | null;
}

/** Config goals' ids: stable across restarts, and never a stored goal's (those are UUIDs). */
const configId = (project: string, name: string) => `config:${project}:${name}`;

function fromConfig(config: GoalsConfig): GoalEntry[] {
  return [...config.goals].flatMap(([project, goals]) =>
    goals.map((g) => ({
      ...g,
      conditions: g.conditions ?? [],
      id: configId(project, g.name),
      project,
      managed: 'config' as const,
      created_by: 'SIGHTLINE_GOALS',
      updated_at: null,
    })),
  );
}

export function createGoalRegistry(
  store: Store,
  config: GoalsConfig,
  logger?: Logger,
  refreshMs = REFRESH_MS,
) {
  const configured = fromConfig(config);
  let stored: GoalEntry[] = [];
  let byProject = new Map<string, GoalSpec[]>();
  let timer: NodeJS.Timeout | undefined;

  const index = () => {
    const map = new Map<string, GoalSpec[]>();
    for (const g of [...configured, ...stored]) {
      const spec: GoalSpec = {
        name: g.name,
        kind: g.kind,
        value: g.value,
        ...(g.conditions.length ? { conditions: g.conditions } : {}),
      };
      map.set(g.project, [...(map.get(g.project) ?? []), spec]);
    }
    byProject = map;
  };
  index();

  async function refresh(): Promise<void> {
    const rows = await store.query<Record<string, string>>(
      `SELECT id, project, name, kind, value, conditions, created_by,
              toUnixTimestamp64Milli(updated_at) AS updated_ms
       FROM ${GOALS_TABLE} FINAL WHERE NOT deleted ORDER BY project, name`,
    );
    stored = rows.map((r) => ({
      id: String(r.id),
      project: String(r.project),
      name: String(r.name),
      kind: r.kind === 'page' ? 'page' : 'event',
      value: String(r.value),
      conditions: JSON.parse(String(r.conditions || '[]')) as GoalPropertyCondition[],
      managed: 'dashboard',
      created_by: String(r.created_by),
      updated_at: new Date(Number(r.updated_ms)).toISOString(),
    }));
    index();
  }

  async function write(entry: GoalEntry, deleted: boolean): Promise<void> {
    const version = nextRowVersion();
    await store.insert(
      GOALS_TABLE,
      [
        {
          id: entry.id,
          project: entry.project,
          name: entry.name,
          kind: entry.kind,
          value: entry.value,
          conditions: JSON.stringify(entry.conditions),
          created_by: entry.created_by,
          updated_at: new Date().toISOString(),
          deleted,
          version,
        },
      ],
      `goal:${entry.id}:${version}`,
    );
  }

  /** 400 naming the field when another goal of the project has the same name or the same definition. */
  function checkUnique(project: string, goal: GoalInput, except?: string): void {
    const others = list(project).filter((g) => g.id !== except);
    // The definition first: a goal added twice is named by what it is, whatever its name.
    const key = definitionKey(goal);
    const same = others.find((g) => definitionKey(g) === key);
    if (same) throw badInput([{ field: 'value', message: `this goal exists already as "${same.name}"` }]);
    const sameName = others.find((g) => g.name === goal.name);
    if (sameName)
      throw badInput([
        { field: 'name', message: `project "${project}" has a goal named "${goal.name}" already` },
      ]);
  }

  function list(project?: string): GoalEntry[] {
    return [...configured, ...stored].filter((g) => project === undefined || g.project === project);
  }

  function find(id: string): GoalEntry | undefined {
    return list().find((g) => g.id === id);
  }

  const audit = (actor: string, g: GoalEntry, action: string) =>
    recordSettingsChange(store, {
      actor,
      project: g.project,
      entity: 'goal',
      entityId: g.id,
      action,
      detail: `${g.name} (${g.kind} ${g.value}${g.conditions.length ? `, ${g.conditions.length} condition(s)` : ''})`,
    });

  return {
    /** The goals the stats routes count for a project: configured ones first. */
    goalsOf(project: string): readonly GoalSpec[] {
      return byProject.get(project) ?? [];
    },
    /** The projects that have goals. */
    projects(): string[] {
      return [...byProject.keys()];
    },
    list,
    find,
    refresh,

    async start(): Promise<void> {
      await refresh().catch((err) =>
        logger?.warn({ err: (err as Error).message }, 'dashboard goals could not be read yet; retrying'),
      );
      timer = setInterval(() => {
        refresh().catch((err) =>
          logger?.warn({ err: (err as Error).message }, 'dashboard goals could not be refreshed'),
        );
      }, refreshMs);
      timer.unref();
    },

    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },

    async create(project: string, goal: GoalInput, actor: string): Promise<GoalEntry> {
      await refresh();
      checkUnique(project, goal);
      const entry: GoalEntry = {
        ...goal,
        id: randomUUID(),
        project,
        managed: 'dashboard',
        created_by: actor,
        updated_at: new Date().toISOString(),
      };
      await write(entry, false);
      await audit(actor, entry, 'create');
      await refresh();
      return find(entry.id) ?? entry;
    },

    async update(id: string, goal: GoalInput, actor: string): Promise<GoalEntry> {
      await refresh();
      const old = requireStored(id);
      checkUnique(old.project, goal, id);
      const entry: GoalEntry = { ...old, ...goal, updated_at: new Date().toISOString() };
      await write(entry, false);
      await audit(actor, entry, 'update');
      await refresh();
      return find(id) ?? entry;
    },

    /**
     * The stored goals of a deleted site, each with its audit row. SIGHTLINE_GOALS entries stay: configuration
     * changes there (a site of SIGHTLINE_PROJECTS cannot be deleted anyway).
     */
    async removeProject(project: string, actor: string): Promise<number> {
      await refresh();
      const gone = stored.filter((g) => g.project === project);
      for (const g of gone) {
        await write(g, true);
        await audit(actor, g, 'delete');
      }
      await refresh();
      return gone.length;
    },

    async remove(id: string, actor: string): Promise<GoalEntry> {
      await refresh();
      const old = requireStored(id);
      await write(old, true);
      await audit(actor, old, 'delete');
      await refresh();
      return old;
    },
  };

  function requireStored(id: string): GoalEntry {
    const g = find(id);
    if (!g) throw notFound(`no goal "${id}"`);
    if (g.managed === 'config') throw managedByConfig(g.name);
    return g;
  }
}

export type GoalRegistry = ReturnType<typeof createGoalRegistry>;
