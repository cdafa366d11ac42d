import { availableParallelism } from 'node:os';

/**
 * Settings of every seeding insert: no insert deduplication (a re-seed with the same seed writes identical blocks,
 * which the dedup window would otherwise silently drop), the materialized views run in parallel with the insert,
 * nothing is pre-merged on insert (the views read the same either way), and twice as many threads as the two cores
 * this was tuned on (inserts wait on fsync; the extra threads fill those gaps: +30 % measured). No Variant types:
 * an `if` mixing signed and unsigned branches would otherwise silently become a Variant, ten times slower.
 */
const THREADS = 2 * availableParallelism();
export const INSERT_SETTINGS = `SETTINGS insert_deduplicate = 0, deduplicate_blocks_in_dependent_materialized_views = 0, optimize_on_insert = 0, parallel_view_processing = 1, max_insert_threads = ${THREADS}, max_threads = ${THREADS}, use_variant_as_common_type = 0`;
/**
 * Visits into the fan-out: blocks of 400 000 visits (about a million events), each a part per table. Smaller blocks
 * measured slower (more parts, more per-block work in three views); larger ones no faster, and heavier on memory.
 */
export const FANOUT_SETTINGS = `${INSERT_SETTINGS}, min_insert_block_size_rows = 400000, min_insert_block_size_bytes = 0`;
