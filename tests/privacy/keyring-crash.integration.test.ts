import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { keyringFixture, type KeyringFixture } from './keyring-fixture.js';

const child = fileURLToPath(new URL('./keyring-churn-child.ts', import.meta.url));

/** Run the churn child until `killAfterLines` committed operations were reported, then SIGKILL it. */
function churnAndKill(directory: string, killAfterLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const churn = spawn(process.execPath, ['--import', 'tsx', child, directory], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffered = '';
    let errors = '';
    churn.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      lines.push(...complete);
      if (lines.length >= killAfterLines) churn.kill('SIGKILL');
    });
    churn.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    churn.on('error', reject);
    churn.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`churn child exited on its own: ${errors}`));
    });
  });
}

let fixture: KeyringFixture;
beforeEach(() => {
  fixture = keyringFixture();
});
afterEach(() => fixture.cleanup());

it('keeps every committed key and loses every shredded one when killed mid-write, again and again', async () => {
  const live = new Map<string, string>();
  const shredded = new Set<string>();
  for (let run = 0; run < 6; run += 1) {
    const lines = await churnAndKill(fixture.directory, 2 + ((run * 7) % 13));
    expect(lines[0]).toBe('ready');
    for (const line of lines.slice(1)) {
      const [operation, epoch, hex] = line.split(' ');
      if (operation === 'created' && epoch && hex) live.set(epoch, hex);
      if (operation === 'shredded' && epoch) {
        live.delete(epoch);
        shredded.add(epoch);
      }
    }

    const keyring = fixture.open();
    for (const [epoch, hex] of live) {
      expect(Buffer.from(keyring.vaultKey('chat-ip', asMonthEpoch(epoch)) ?? []).toString('hex'), `run ${run}, ${epoch}`).toBe(hex);
    }
    for (const epoch of shredded) expect(keyring.vaultKey('chat-ip', asMonthEpoch(epoch))).toBeUndefined();
    const files = readdirSync(fixture.directory).sort();
    expect(files).toEqual([`kek-${keyring.status().kek.generation}.key`, 'keyring.json']);
    keyring.close();
  }
  expect(shredded.size).toBeGreaterThan(0);
});
