import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../config/load-config.js';
import { Keyring } from '../privacy/keyring.js';
import { systemClock } from '../main.js';

/**
 * `keys init`: makes the keyring (its directory 0700, a fresh key-encryption key and an empty
 * keyring.json, both 0600) where the config says, so a freshly installed box has one before its
 * first start. An existing keyring is only opened read-only to prove it is usable: it is never
 * made again, because a new keyring unlinks every earlier contact.
 */
export async function keysInit(command: { config: string; dataDir?: string }, say: (line: string) => void): Promise<number> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const path = join(config.keyringDir, 'keyring.json');
  const existed = existsSync(path);
  const keyring = Keyring.open({ directory: config.keyringDir, clock: systemClock, access: existed ? 'read-only' : 'read-write' });
  try {
    const status = keyring.status();
    const mode = status.keyringFile.mode?.toString(8) ?? 'missing';
    say(`${existed ? 'keyring exists, left as it is' : 'keyring created'}: ${path} (mode ${mode}), key-encryption key generation ${status.kek.generation}`);
    return 0;
  } finally {
    keyring.close();
  }
}
