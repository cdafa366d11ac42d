/** Where an erasure or export looks for a person's id beyond the events: log attributes and captured columns. */

import { field, list, type SettingsOf } from '../config/setting-fields.ts';

export const privacySettings = {
  privacyLogFields: field({
    env: 'SIGHTLINE_PRIVACY_LOG_FIELDS',
    default: 'user_id,userId,user,email',
    description:
      "Keys of `logs.attributes` that hold a person's id: an erasure or export (`sightline erase`, `DELETE /api/v1/people/…`) takes the log lines whose value there equals the id. Comma-separated; empty = logs are not searched.",
    parse: list(),
  }),
  privacyDbColumns: field({
    env: 'SIGHTLINE_PRIVACY_DB_COLUMNS',
    default: 'user_id,email',
    description:
      "Columns of captured rows (`db_changes.data` and `.old`) that hold a person's id: an erasure or export takes the changes whose value there equals the id (string or number). Comma-separated; empty = not searched.",
    parse: list(),
  }),
};

export type PrivacyConfig = SettingsOf<typeof privacySettings>;
