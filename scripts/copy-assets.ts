// After `tsc -p tsconfig.build.json`: copy the non-TypeScript files the compiled code reads (SQL migrations).
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
fs.cpSync(path.join(root, 'src/store/migrations'), path.join(root, 'dist/store/migrations'), {
  recursive: true,
});
process.stdout.write('copied src/store/migrations → dist/store/migrations\n');
