/** The goals of SIGHTLINE_GOALS (their type and parser are in query/goal-spec.ts, which the stats queries read). */

import { field, type SettingsOf } from '../config/setting-fields.ts';
import { parseGoals } from '../query/goal-spec.ts';

export const goalsSettings = {
  goals: field({
    env: 'SIGHTLINE_GOALS',
    default: '',
    description:
      'Conversion goals per project: `project:event:<type>` or `project:page:<path, * = any>`, comma-separated (e.g. `website:event:signup,website:page:/thanks*`). Shown read-only ("managed by configuration") beside the goals made in the dashboard (Settings → Goals).',
    parse: parseGoals,
  }),
};

export type GoalsConfig = SettingsOf<typeof goalsSettings>;
