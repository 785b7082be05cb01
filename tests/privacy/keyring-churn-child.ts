/**
 * Child process for keyring-crash.integration.test.ts: creates and shreds vault keys under fresh
 * KEKs in a loop until it is killed, reporting each operation on stdout only after it returned
 * (that is, after it was committed to disk).
 */
import { writeSync } from 'node:fs';
import { Keyring } from '../../src/privacy/keyring.js';
import { ManualClock } from '../../src/time/clock.js';
import { asMonthEpoch, shiftMonthEpoch, type MonthEpoch } from '../../src/time/month-epoch.js';

const directory = process.argv[2];
if (!directory) throw new Error('usage: keyring-churn-child <directory>');
const keyring = Keyring.open({ directory, clock: new ManualClock(0) });
const status = keyring.status().vault['chat-ip'];
const seen = [...status.live, ...status.shredded].map((entry) => entry.epoch).sort();
let next: MonthEpoch = seen.length > 0 ? shiftMonthEpoch(asMonthEpoch(seen[seen.length - 1] ?? ''), 1) : asMonthEpoch('2000-01');
const report = (line: string): void => {
  writeSync(1, line + '\n');
};

report('ready');
for (;;) {
  const key = keyring.ensureVaultKey('chat-ip', next);
  report(`created ${next} ${Buffer.from(key).toString('hex')}`);
  const oldest = keyring.vaultEpochs('chat-ip')[0];
  if (oldest && keyring.vaultEpochs('chat-ip').length > 3) {
    keyring.shredVaultKey('chat-ip', oldest);
    report(`shredded ${oldest}`);
  } else {
    keyring.rewrap();
    report('rewrapped');
  }
  next = shiftMonthEpoch(next, 1);
}
