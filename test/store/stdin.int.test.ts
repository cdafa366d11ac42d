// chDB reads its host process's stdin as an INSERT's external data (chdb-io/chdb-core#239): with something on
// stdin every insert failed, and on an open stdin that delivers nothing an insert of the processor was seen blocked
// for good (a test process, whose stdin is the runner's socket). The embedded store points descriptor 0 at
// /dev/null first (src/store/detach-stdin.ts): a process whose stdin holds data, and one whose stdin stays open and
// empty, insert exactly the rows they write, in both of the store's sessions at once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../support/temp-dir.ts';

const CHILD = path.join(import.meta.dirname, '../support/store-insert-child.ts');
const ROUNDS = 40;
const dirs: Array<() => void> = [];
after(() => {
  for (const cleanup of dirs) cleanup();
});

/** Runs the child with `input` written to its stdin, which stays open until it exits (or 60 s pass). */
function run(input: string): Promise<{ code: number | null; out: string; err: string }> {
  const { dir, cleanup } = tempDir('stdin');
  dirs.push(cleanup);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, dir, String(ROUNDS)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    if (input) child.stdin.write(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('the embedded store and its process’s stdin', () => {
  for (const [name, input] of [
    ['rows on stdin', '[99999999, "from stdin", ["x"]]\n'],
    ['an open, empty stdin', ''],
  ] as const)
    it(`${name}: the rows written, no others, and no insert waits on it`, async () => {
      const { code, out, err } = await run(input);
      assert.equal(code, 0, err.slice(-2000));
      assert.deepEqual(JSON.parse(out), { a: ROUNDS * 200, b: ROUNDS * 50 });
    });
});
