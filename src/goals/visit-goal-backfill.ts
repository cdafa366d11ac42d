/**
 * Stamps stored `visits` rows with their project's goals (src/query/visit-goal-bits.ts) where the processor did not:
 * rows written before migration 031, rows folded in SQL (an erasure's rebuilt visits), rows of a goal list that has
 * changed since, rows a processor with an older list wrote (split roles learn a change within the registry's
 * refresh). One mutation per project (`ALTER TABLE visits UPDATE … WHERE goal_epoch != <current>`), in the
 * background: until it is done, queries read the goals from the rows' lists (src/query/visit-goal-currency.ts), as
 * before, so nothing waits for it and no answer changes.
 *
 * Run by the api role: a project is looked at when its list changes (checked every `changeMs`, without reading the
 * store) and every `sweepMs`, and skipped while a mutation of `visits` is still running.
 */
import type { Logger } from '../observe/logger.ts';
import type { GoalSpec } from '../query/goal-spec.ts';
import { maskSql, visitGoalBits } from '../query/visit-goal-bits.ts';
import type { Store } from '../store/store.ts';
import { VISITS_TABLE } from '../store/visits.ts';

export interface GoalLists {
  /** Every project with goals (configured or made in the dashboard). */
  projects(): string[];
  goalsOf(project: string): readonly GoalSpec[];
}

/** Whether some row of `project` has another epoch than `epoch`. */
export async function staleRows(store: Store, project: string, epoch: number): Promise<boolean> {
  const rows = await store.query(
    `SELECT 1 FROM ${VISITS_TABLE} WHERE project = {project:String} AND goal_epoch != {epoch:UInt32} LIMIT 1`,
    { project, epoch },
  );
  return rows.length > 0;
}

async function mutationRunning(store: Store): Promise<boolean> {
  const [row] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM system.mutations
     WHERE database = currentDatabase() AND table = {table:String} AND NOT is_done`,
    { table: VISITS_TABLE },
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * Stamps the rows of `project` that are not of its current list; returns whether a mutation was started. `wait`:
 * returns once it is done (tests, and the dashboard bench before it times the page).
 */
export async function stampVisitGoals(
  store: Store,
  project: string,
  goals: readonly GoalSpec[],
  wait = false,
): Promise<boolean> {
  const bits = visitGoalBits(goals);
  if (!bits || !(await staleRows(store, project, bits.epoch))) return false;
  const mask = maskSql(bits);
  await store.exec(
    `ALTER TABLE ${VISITS_TABLE}
     UPDATE goal_mask = ${mask.sql}, goal_epoch = {vg_epoch:UInt32}
     WHERE project = {vg_project:String} AND goal_epoch != {vg_epoch:UInt32}
     SETTINGS mutations_sync = ${wait ? 2 : 0}`,
    { ...mask.params, vg_epoch: bits.epoch, vg_project: project },
  );
  return true;
}

export function startVisitGoalBackfill(
  store: Store,
  lists: GoalLists,
  logger: Logger,
  { changeMs = 5_000, sweepMs = 60_000 }: { changeMs?: number; sweepMs?: number } = {},
): { stop(): void } {
  /** Each project's epoch when it was last found clean or stamped. */
  const done = new Map<string, number>();
  let lastSweep = 0;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const sweep = Date.now() - lastSweep >= sweepMs;
      if (sweep) lastSweep = Date.now();
      for (const project of lists.projects()) {
        const goals = lists.goalsOf(project);
        const bits = visitGoalBits(goals);
        if (!bits || (!sweep && done.get(project) === bits.epoch)) continue;
        if (await mutationRunning(store)) return;
        if (await stampVisitGoals(store, project, goals))
          logger.info(
            { project, epoch: bits.epoch },
            'stamping the stored visits with the goals they reached',
          );
        done.set(project, bits.epoch);
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'visits could not be stamped with their goals yet');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), changeMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
