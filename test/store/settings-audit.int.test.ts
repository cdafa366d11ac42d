import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { migrate } from '../../src/store/migrate.ts';
import { listSettingsChanges, recordSettingsChange } from '../../src/store/settings-audit.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

test('settings changes are kept newest first and can be narrowed to one project', async () => {
  const { dir, cleanup } = tempDir('settings-audit');
  const store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
  try {
    await migrate(store);
    await recordSettingsChange(
      store,
      { actor: 'ann', project: 'web', entity: 'site', entityId: 'web', action: 'create' },
      1000,
    );
    await recordSettingsChange(
      store,
      { actor: 'bob', project: 'shop', entity: 'goal', entityId: 'g1', action: 'delete', detail: 'signup' },
      2000,
    );
    const all = await listSettingsChanges(store, { limit: 10 });
    assert.deepEqual(
      all.map((r) => [r.actor, r.project, r.entity, r.action, r.detail, r.at]),
      [
        ['bob', 'shop', 'goal', 'delete', 'signup', '1970-01-01T00:00:02.000Z'],
        ['ann', 'web', 'site', 'create', '', '1970-01-01T00:00:01.000Z'],
      ],
    );
    const web = await listSettingsChanges(store, { limit: 10, project: 'web' });
    assert.deepEqual(
      web.map((r) => r.entity_id),
      ['web'],
    );
  } finally {
    await store.close();
    cleanup();
  }
});
