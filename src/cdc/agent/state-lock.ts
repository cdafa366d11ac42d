/**
 * One agent per state folder: two agents sharing a spool and a checkpoint would send batches twice and overwrite
 * each other's position. `<state dir>/agent.pid` names the owner; a file left by a killed agent (its process is
 * gone) is taken over.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export class StateLockError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  const file = path.join(stateDir, 'agent.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner))
      throw new StateLockError(
        `another agent (pid ${owner}) is using ${stateDir}: stop it first, or give this one its own --state-dir`,
      );
    await fs.rm(file, { force: true });
  }
  throw new StateLockError(
    `could not lock ${stateDir} (agent.pid keeps reappearing): is another agent starting?`,
  );
}
