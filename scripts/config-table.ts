// Rewrites the configuration table in README.md from src/config/config-schema.ts (the stages' sections composed).
import fs from 'node:fs';
import path from 'node:path';
import { replaceTable } from '../src/config/config-table.ts';

const file = path.resolve(import.meta.dirname, '../README.md');
fs.writeFileSync(file, replaceTable(fs.readFileSync(file, 'utf8')));
process.stdout.write('README.md configuration table updated\n');
