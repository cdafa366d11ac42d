/** Conversion goals as configured (SIGHTLINE_GOALS) or made in the dashboard: their shape, and the setting's parser. */
import { ConfigValueError } from '../config/setting-fields.ts';

export interface GoalSpec {
  /** As written after the project: `event:signup` or `page:/thanks*`; also the goal's name in the API. */
  name: string;
  kind: 'event' | 'page';
  /** Event type, or a path pattern where `*` stands for any run of characters. */
  value: string;
  /** Event goals only: every condition must hold for an event to count (`plan is pro`); goals made in the dashboard. */
  conditions?: readonly GoalPropertyCondition[];
}

export interface GoalPropertyCondition {
  /** An event property (a key of `props`). */
  key: string;
  op: 'is' | 'is_not';
  value: string;
}

/** `website:event:signup,website:page:/thanks*` → goals per project (a conversion is reaching any of them). */
export function parseGoals(raw: string): Map<string, GoalSpec[]> {
  const goals = new Map<string, GoalSpec[]>();
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const match = /^([^:]+):(event|page):(.+)$/.exec(item);
    if (!match)
      throw new ConfigValueError(`"${item}" is not project:event:<type> or project:page:<path pattern>`);
    const [, project, kind, value] = match;
    if (kind === 'page' && !value.startsWith('/'))
      throw new ConfigValueError(`page goal "${item}" must start with "/" (e.g. website:page:/thanks*)`);
    const list = goals.get(project) ?? [];
    if (list.some((g) => g.name === `${kind}:${value}`))
      throw new ConfigValueError(`goal "${item}" is listed twice`);
    list.push({ name: `${kind}:${value}`, kind: kind as GoalSpec['kind'], value });
    goals.set(project, list);
  }
  return goals;
}
