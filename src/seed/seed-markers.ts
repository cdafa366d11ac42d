/** Marks seeded rows, so that a re-seed can find (and only ever delete) them. */
export const SEED_PROTOCOL = 'seed';
export const SEED_LOG_SOURCE = 'seed';
export const SEED_POSITION_PREFIX = 'seed-bin.';
