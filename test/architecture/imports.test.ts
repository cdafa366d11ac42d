// The design map (docs/architecture.md) as checks on the imports of src/: stage folders depend on each other in one
// direction only, and what crosses between stages comes from src/contract, not from the collector.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.join(import.meta.dirname, '../..');
const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

/**
 * The composition of the settings (src/config/config.ts and what builds it) imports every stage's settings section
 * (`<stage>.settings.ts`), which imports the field helpers of src/config: the composition is a node of its own, above
 * the stages, and a stage takes its section's type from the section, never `Config` from the composition.
 */
const COMPOSITION = new Set([
  'src/config/config.ts',
  'src/config/config-schema.ts',
  'src/config/config-table.ts',
]);

/** A command (`*.command.ts`) is an entry point like src/cli: it loads the whole config, and only main.ts imports it. */
const isCommand = (file: string) => file.endsWith('.command.ts');

/** Every relative import of src/, as repo-relative paths (type-only and dynamic imports count too). */
function imports(): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (const file of fs.globSync('src/**/*.{ts,tsx}', { cwd: ROOT })) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(IMPORT))
      out.push({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), m[2])) });
  }
  return out;
}

const stageOf = (file: string) => file.split('/')[1];

/** The node of the loop check a file belongs to: its stage folder, but the composition and commands apart. */
const nodeOf = (file: string) =>
  COMPOSITION.has(file) ? 'config (composition)' : isCommand(file) ? 'cli' : stageOf(file);

/** Strongly connected groups of more than one node (Tarjan), each a set of stages that import each other. */
function loops(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('imports between the stages of src/', () => {
  const all = imports();

  it('finds the imports it checks', () => {
    assert.ok(all.length > 500, `only ${all.length} imports found: the pattern no longer matches`);
    assert.ok(all.some((i) => i.from === 'src/process/pipeline.ts' && i.to === 'src/contract/envelope.ts'));
  });

  it('has no loop between stage folders', () => {
    const edges = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const { from, to } of all) {
      const a = nodeOf(from);
      const b = nodeOf(to);
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)?.add(b);
      why.set(`${a}>${b}`, `${from} → ${to}`);
    }
    const found = loops(edges);
    const detail = found.map((group) =>
      [...why]
        .filter(([edge]) => group.includes(edge.split('>')[0]) && group.includes(edge.split('>')[1]))
        .map(([, example]) => example)
        .join('\n  '),
    );
    assert.deepEqual(found, [], `stage folders that import each other:\n  ${detail.join('\n\n  ')}`);
  });

  it('keeps the wire contract out of the collector: only the wiring in src/cli (and the settings composition) imports src/collect', () => {
    const outside = all.filter(
      ({ from, to }) =>
        stageOf(to) === 'collect' &&
        stageOf(from) !== 'collect' &&
        stageOf(from) !== 'cli' &&
        // The composition of the settings reads the collector's section, nothing else of it.
        !(COMPOSITION.has(from) && to === 'src/collect/collect.settings.ts'),
    );
    assert.deepEqual(
      outside.map(({ from, to }) => `${from} → ${to}`),
      [],
    );
  });

  it('lets only src/cli/main.ts import a command', () => {
    assert.deepEqual(
      all
        .filter(({ from, to }) => isCommand(to) && from !== 'src/cli/main.ts')
        .map(({ from, to }) => `${from} → ${to}`),
      [],
    );
  });

  it('has no loop between the breakdown queries', () => {
    const edges = new Map<string, Set<string>>();
    for (const { from, to } of all) {
      if (!from.startsWith('src/query/queries/')) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
    assert.deepEqual(loops(edges), []);
  });
});
