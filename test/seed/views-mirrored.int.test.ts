// The seed writes profiles and rollups directly only while the store's views on events are the ones the
// code defines (src/store/sessions-profiles.ts, src/store/rollups.ts); a view changed by hand turns that off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { viewsMirrored } from '../../src/seed/fanout-staging.ts';
import { migrate } from '../../src/store/migrate.ts';
import { PROFILES_VIEW, profilesViewSelect } from '../../src/store/sessions-profiles.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('views-mirrored');
let store: Store;

before(async () => {
  store = openStore({ url: 'chdb', dataDir: `${dir}/store` });
  await migrate(store);
});
after(async () => {
  await store.close();
  cleanup();
});

describe('viewsMirrored', () => {
  it('holds on a freshly migrated store', async () => {
    assert.equal(await viewsMirrored(store), true);
  });

  it('fails once a view on events is not the one the code defines', async () => {
    await store.command(`DROP VIEW ${PROFILES_VIEW}`);
    assert.equal(await viewsMirrored(store), false, 'a view missing');
    // The same view but for one more condition.
    const changed = profilesViewSelect('events').replace(
      'WHERE updates_profile AND NOT is_bot',
      "WHERE updates_profile AND NOT is_bot AND type != 'ping'",
    );
    assert.notEqual(changed, profilesViewSelect('events'));
    await store.command(`CREATE MATERIALIZED VIEW ${PROFILES_VIEW} TO user_profiles AS ${changed}`);
    assert.equal(await viewsMirrored(store), false, 'a view changed');
  });
});
