/**
 * Every setting Sightline reads: the sections each stage declares beside its code (`src/<stage>/<stage>.settings.ts`),
 * composed into one flat schema. `config.ts` builds the typed object from it and the README's configuration table is
 * generated from it (`npm run docs:config`), so the three never disagree. The order of the sections is the table's.
 */
import { alertsSettings } from '../alerts/alerts.settings.ts';
import { collectSettings } from '../collect/collect.settings.ts';
import { dashboardSettings } from '../dashboard/dashboard.settings.ts';
import { forwardSettings } from '../forward/forward.settings.ts';
import { goalsSettings } from '../goals/goals.settings.ts';
import { logSettings } from '../log/log.settings.ts';
import { privacySettings } from '../privacy/privacy.settings.ts';
import { processSettings } from '../process/process.settings.ts';
import { querySettings } from '../query/query.settings.ts';
import { serverSettings } from '../server/server.settings.ts';
import { sitesSettings } from '../sites/sites.settings.ts';
import { storeSettings } from '../store/store.settings.ts';
import { field, text } from './setting-fields.ts';
import { sharedSettings } from './shared.settings.ts';

export { ConfigValueError, type FieldSpec } from './setting-fields.ts';

/** The one setting of the composition itself: where the optional file of settings is. */
const configFileSettings = {
  configFile: field({
    env: 'SIGHTLINE_CONFIG',
    default: undefined,
    description:
      'Optional JSON or YAML file with any of these settings (keys as in the "key" column); env variables win.',
    parse: text,
  }),
};

export const configSchema = {
  ...configFileSettings,
  ...serverSettings,
  ...sharedSettings,
  ...sitesSettings,
  ...querySettings,
  ...collectSettings,
  ...logSettings,
  ...processSettings,
  ...storeSettings,
  ...goalsSettings,
  ...forwardSettings,
  ...alertsSettings,
  ...privacySettings,
  ...dashboardSettings,
};

/** The sections composed above, in order: a key two sections declared would silently be the later one's (a test checks). */
export const SECTIONS = [
  configFileSettings,
  serverSettings,
  sharedSettings,
  sitesSettings,
  querySettings,
  collectSettings,
  logSettings,
  processSettings,
  storeSettings,
  goalsSettings,
  forwardSettings,
  alertsSettings,
  privacySettings,
  dashboardSettings,
] as const;

export type ConfigSchema = typeof configSchema;
export type ConfigKey = keyof ConfigSchema;
