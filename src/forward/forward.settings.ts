/** Forwarding's one setting: destinations, rules and aggregates (docs/forwarding.md). */

import { field, type SettingsOf } from '../config/setting-fields.ts';
import { forwardConfigOf, parseForwardConfig } from './forward-config.ts';

export const forwardSettings = {
  forward: field({
    env: 'SIGHTLINE_FORWARD',
    default: '',
    description:
      'Forwarding to other services, as JSON (in a config file: a `forward:` object): `{"destinations":[{"name","type":"webhook|mixpanel|segment","url",…}],"rules":[{"destination","project","types","props","sample"}],"aggregates":[…]}`. See docs/forwarding.md. Off when unset.',
    parse: parseForwardConfig,
    parseValue: forwardConfigOf,
  }),
};

export type ForwardSettings = SettingsOf<typeof forwardSettings>;
