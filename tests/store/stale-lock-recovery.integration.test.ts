import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDirectoryPathFor, pidFilePathFor } from '../../src/store/instance-guard.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { captureLogger, makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const holder = path.join('tests', 'store', 'fixtures', 'hold-database.ts');
const KILLS = 5;

let temp: TempDirectory;
const children: ChildProcess[] = [];

interface KilledRun {
  readonly committed: number[];
  readonly signal: NodeJS.Signals | null;
}

/**
 * Starts the holder, lets it commit until it has printed `killAfter` ids, then SIGKILLs it while
 * it is still writing, and waits for it to be gone.
 */
function runAndKill(databasePath: string, journalMode: 'WAL' | 'TRUNCATE', killAfter: number): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', holder, databasePath, journalMode], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const committed: number[] = [];
    let pending = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^committed (\d+)$/.exec(line);
        if (match) committed.push(Number(match[1]));
      }
      if (committed.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    // 'close' comes after stdout has drained: lines still in the pipe at the kill were committed too.
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`holder exited on its own (code ${code}): ${stderr.trim()}`));
      else resolve({ committed, signal });
    });
  });
}

beforeEach(() => {
  temp = makeTempDirectory('hgw-stale-lock-');
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  temp.remove();
});

describe.each(['WAL', 'TRUNCATE'] as const)('recovery from a SIGKILL in %s mode', (journalMode) => {
  it(`reopens after ${KILLS} kills mid-write with every committed row intact`, async () => {
    const everCommitted = new Set<number>();
    for (let kill = 1; kill <= KILLS; kill += 1) {
      const run = await runAndKill(temp.databasePath, journalMode, 5 + kill * 7);
      expect(run.signal).toBe('SIGKILL');
      expect(run.committed.length).toBeGreaterThan(0);
      run.committed.forEach((id) => everCommitted.add(id));

      // Under locking_mode=EXCLUSIVE the library holds `<db>.lock` for as long as the file is open,
      // so a kill at any point after the first statement leaves it behind.
      expect(fs.statSync(lockDirectoryPathFor(temp.databasePath)).isDirectory()).toBe(true);
      expect(fs.existsSync(pidFilePathFor(temp.databasePath))).toBe(true);

      const { logger, lines } = captureLogger();
      const db = GatewayDatabase.open({ path: temp.databasePath, logger, journalMode });
      try {
        expect(lines.map((line) => line.msg)).toContain('removed stale database lock left by a crash');
        expect(db.integrityCheck()).toBe('ok');
        const ids = [...everCommitted];
        const present = db.get<{ n: number }>(`SELECT count(*) AS n FROM contacts WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
        expect(present?.n).toBe(ids.length);
      } finally {
        db.close();
      }
      expect(fs.existsSync(lockDirectoryPathFor(temp.databasePath))).toBe(false);
      expect(fs.existsSync(pidFilePathFor(temp.databasePath))).toBe(false);
    }
  });
});
