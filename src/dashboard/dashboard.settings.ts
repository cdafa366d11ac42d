/** The dashboard's settings: whether it is served, how long invitations last. */

import { bool, field, integer, type SettingsOf } from '../config/setting-fields.ts';

export const dashboardSettings = {
  dashboard: field({
    env: 'SIGHTLINE_DASHBOARD',
    default: 'true',
    description:
      'Serve the dashboard at `/` (and build it at start when its sources changed and Vite is installed).',
    parse: bool,
  }),
  invitationDays: field({
    env: 'SIGHTLINE_INVITATION_DAYS',
    default: '7',
    description: 'Days a dashboard invitation link stays valid; after that the admin invites again.',
    parse: integer(1, 365),
  }),
};

export type DashboardConfig = SettingsOf<typeof dashboardSettings>;
