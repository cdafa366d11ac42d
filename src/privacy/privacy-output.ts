/** What `sightline erase` and `export-person` print: the rows erased, the export written, the people a match names. */
import fs from 'node:fs';
import type { ErasureResult } from './erase.ts';
import type { PersonExport } from './export.ts';
import type { PersonMatch } from './match.ts';

export function printErasure(result: ErasureResult): void {
  if (result.suppressed_until)
    process.stdout.write(`  new events of the person are dropped until ${result.suppressed_until}\n`);
  for (const [table, n] of Object.entries(result.removed))
    process.stdout.write(
      `  ${table.padEnd(22)} ${String(n).padStart(8)} ${table === 'rollup_days' ? 'rebuilt' : 'removed'}\n`,
    );
  process.stdout.write(`Erased (request ${result.request}).\n`);
}

export function writeExport(body: PersonExport | Record<string, unknown>, out: string | undefined): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  if (out) {
    fs.writeFileSync(out, text, { mode: 0o600 });
    const counts = (body as PersonExport).counts ?? {};
    process.stderr.write(
      `Wrote ${out}: ${Object.entries(counts)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')}.\n`,
    );
  } else process.stdout.write(text);
}

export function printMatches(match: PersonMatch, users: readonly string[]): void {
  process.stdout.write(
    users.length === 0
      ? `No one in ${match.project} has ${match.key} = ${match.value}.\n`
      : `${users.length} ${users.length === 1 ? 'person' : 'people'} in ${match.project} with ${match.key} = ${match.value}:\n${users.map((u) => `  ${u}\n`).join('')}`,
  );
}

/** A match listed without --yes: nothing erased, exit 2. */
export const confirmMatches = () => {
  process.stderr.write('sightline erase: nothing erased; add --yes to erase each user id listed\n');
  return 2;
};
