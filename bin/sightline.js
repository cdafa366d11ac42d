#!/usr/bin/env node
// Entry of `npx sightline`: checks the runtime, then runs the TypeScript CLI directly (Node ≥ 24 strips types).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `sightline needs Node.js 24 or newer (this is ${process.version}). In a checkout, run it through npm ` +
      '(npm start, npx sightline) so the pinned Node from node_modules is used.\n',
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
