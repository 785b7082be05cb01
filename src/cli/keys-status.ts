import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../config/load-config.js';
import { Keyring } from '../privacy/keyring.js';
import type { KeySetStatus } from '../privacy/keyring.js';
import { systemClock } from '../main.js';

const DAY = 24 * 60 * 60 * 1000;

function age(since: number, now: number): string {
  const days = Math.floor((now - since) / DAY);
  return days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`;
}

function describeSet(name: string, set: KeySetStatus, now: number): string[] {
  const live = set.live.map((key) => `${key.epoch} (created ${age(key.createdAt, now)})`).join(', ') || 'none';
  const shredded = set.shredded.map((key) => `${key.epoch} (${age(key.shreddedAt, now)})`).join(', ') || 'none';
  return [`  ${name.padEnd(14)} live: ${live}`, `  ${''.padEnd(14)} shredded: ${shredded}`];
}

/** `keys status`: epochs and ages of every key set. Key material is never printed. */
export async function keysStatus(command: { config: string; dataDir?: string }, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  if (!existsSync(join(config.keyringDir, 'keyring.json'))) {
    say(`no keyring yet in ${config.keyringDir} (it is created when the gateway first runs)`);
    return 1;
  }
  const keyring = Keyring.open({ directory: config.keyringDir, clock: systemClock, access: 'read-only' });
  try {
    const status = keyring.status();
    const now = systemClock.now();
    const mode = (value: number | undefined): string => (value === undefined ? 'missing' : value.toString(8).padStart(4, '0'));
    say(`keyring ${status.keyringFile.path} (mode ${mode(status.keyringFile.mode)})`);
    say(`key-encryption key: generation ${status.kek.generation}, created ${age(status.kek.createdAt, now)} (mode ${mode(status.kekFile.mode)})`);
    for (const line of describeSet('link keys', status.link, now)) say(line);
    for (const [dataClass, set] of Object.entries(status.vault)) for (const line of describeSet(dataClass, set, now)) say(line);
    return 0;
  } finally {
    keyring.close();
  }
}
