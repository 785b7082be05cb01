import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccountService, type AccountServiceOptions } from '../../src/accounts/index.js';
import type { ScryptParameters } from '../../src/accounts/index.js';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { ManualClock } from '../../src/time/clock.js';

/** Cheap enough for dozens of hashes per test; the shipped parameters are tested once on their own. */
export const FAST_SCRYPT: ScryptParameters = { N: 2 ** 10, r: 8, p: 1 };

export const START = Date.UTC(2025, 2, 3, 9, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface AccountFixture {
  readonly clock: ManualClock;
  readonly database: GatewayDatabase;
  readonly databasePath: string;
  readonly accounts: AccountService;
  close(): void;
}

export function openAccountFixture(options: Partial<Omit<AccountServiceOptions, 'database' | 'clock'>> = {}): AccountFixture {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hgw-accounts-'));
  const databasePath = path.join(directory, 'gateway.db');
  const clock = new ManualClock(START);
  const database = GatewayDatabase.open({ path: databasePath, logger: silentLogger() });
  const accounts = new AccountService({ database, clock, scryptParameters: FAST_SCRYPT, ...options });
  return {
    clock,
    database,
    databasePath,
    accounts,
    close: () => {
      if (database.isOpen) database.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
