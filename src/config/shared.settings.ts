/** The settings every stage shares: the data folder (the WAL, the embedded store and generated secrets live there). */
import { field, type SettingsOf, text } from './setting-fields.ts';

export const sharedSettings = {
  dataDir: field({
    env: 'SIGHTLINE_DATA_DIR',
    default: './data',
    description:
      'Folder for the write-ahead log (`wal/`), the embedded store (`chdb/`, and `chdb-inserts/` for the files of its inserts in flight) and generated secrets.',
    parse: text,
  }),
};

export type SharedConfig = SettingsOf<typeof sharedSettings>;
