// The insert payloads: every row a line, exactly what JSON.stringify makes of it (defaults left out, or the compact
// form), whatever the text holds and however large the batch grows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCompactJsonLines, toJsonLines } from '../../src/store/json-lines.ts';

// Multi-byte text (3-byte CJK, 4-byte emoji as a surrogate pair), escapes, and a lone surrogate (JSON escapes it).
const TEXTS = ['/', '/pricing', 'Zürich', '東京', '🚀 launch', 'line\nbreak "quoted" \\', '\ud800', ''];

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    project: 'p',
    path: TEXTS[i % TEXTS.length].repeat(1 + (i % 5)),
    count: i % 3,
    is_bot: i % 4 === 0,
    props: i % 2 ? '{}' : `{"n":${i}}`,
    pages: [TEXTS[i % TEXTS.length], `/p/${i}`],
  }));
}

const lines = (b: Buffer) => (b.length === 0 ? [] : b.toString('utf8').split('\n'));

describe('insert payloads', () => {
  it('writes each row as its JSON line, defaults left out, past the first buffer’s size', async () => {
    for (const n of [0, 1, 7, 3_000]) {
      const input = rows(n);
      const got = lines(await toJsonLines(input));
      assert.equal(got.length, n);
      got.forEach((line, i) => {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const expected = Object.fromEntries(
          Object.entries(input[i]).filter(
            ([, v]) => v !== '' && v !== false && v !== 0 && v !== '{}' && v !== '0',
          ),
        );
        assert.deepEqual(parsed, expected, `row ${i} of ${n}`);
      });
    }
  });

  it('writes the compact form in the order of the columns', async () => {
    const input = rows(3_000);
    const columns = ['pages', 'project', 'path', 'count', 'is_bot'];
    const payload = await toCompactJsonLines(input, columns);
    assert.ok(payload.length > 64 * 1024, 'grown past the first buffer');
    const expected = input.map((r) => JSON.stringify(columns.map((c) => r[c as keyof typeof r]))).join('\n');
    assert.equal(payload.toString('utf8'), expected);
    assert.equal((await toCompactJsonLines([], columns)).length, 0);
    // The names become code that reads them: only plain column names.
    await assert.rejects(toCompactJsonLines(input, ['path', 'a); process.exit(1); (b']), /not a column name/);
  });
});
