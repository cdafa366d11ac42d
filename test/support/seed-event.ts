/** The seed's curl body, exactly (issue: "exactly this one, must be accepted"). */
export const SEED_EVENT = {
  type: 'click',
  user_id: '1',
  session_id: 'FaAa31',
  timestamp: '2024-04-17T04:04:12',
  locale: 'en',
  path: '/getting-started',
  appVersion: '0.0.1',
  details: { meta_a: 'meta_a', meta_b: 'meta_b' },
};
