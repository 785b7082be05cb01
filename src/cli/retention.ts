import { join } from 'node:path';
import { AuditLog } from '../audit/audit-log.js';
import { loadConfigFile, type GatewayConfig } from '../config/load-config.js';
import { silentLogger } from '../log/logger.js';
import { DATABASE_FILE, systemClock } from '../main.js';
import { Keyring } from '../privacy/keyring.js';
import type { RetentionPlan } from '../retention/retention-plan.js';
import { currentRetentionPlan } from '../retention/retention-status.js';
import { retentionRules } from '../retention/retention-rules.js';
import { RetentionSweeper } from '../retention/retention-sweeper.js';
import { ContactsRepository } from '../store/contacts-repository.js';
import { GatewayDatabase } from '../store/open-database.js';
import { RegistrationsRepository } from '../store/registrations-repository.js';
import { TranscriptsRepository } from '../store/transcripts-repository.js';

interface RetentionCommand {
  readonly config: string;
  readonly dataDir?: string;
}

function currentPlan(config: GatewayConfig, database: GatewayDatabase, keyring: Keyring): RetentionPlan {
  return currentRetentionPlan(retentionRules(config.policy), systemClock.now(), config.site.timeZone, {
    contacts: new ContactsRepository(database),
    transcripts: new TranscriptsRepository(database),
    registrations: new RegistrationsRepository(database),
    keyring,
  });
}

function withStore<T>(command: RetentionCommand, access: 'read-only' | 'read-write', action: (config: GatewayConfig, database: GatewayDatabase, keyring: Keyring) => Promise<T>): Promise<T> {
  const config = loadConfigFile(command.config, { dataDir: command.dataDir });
  const keyring = Keyring.open({ directory: config.keyringDir, clock: systemClock, access });
  const database = GatewayDatabase.open({ path: join(config.dataDir, DATABASE_FILE), logger: silentLogger() });
  return action(config, database, keyring).finally(() => {
    database.close();
    keyring.close();
  });
}

/** `retention status`: per data class the oldest item and the next deadline. */
export function retentionStatus(command: RetentionCommand, say: (line: string) => void): Promise<number> {
  return withStore(command, 'read-only', async (config, database, keyring) => {
    for (const line of currentPlan(config, database, keyring).status) say(line.text);
    return 0;
  });
}

/** `retention run [--dry-run]`: what is due now, and (without --dry-run) destroys it and says what went. */
export function retentionRun(command: RetentionCommand & { readonly dryRun: boolean }, say: (line: string) => void): Promise<number> {
  return withStore(command, command.dryRun ? 'read-only' : 'read-write', async (config, database, keyring) => {
    const plan = currentPlan(config, database, keyring);
    const due = plan.classes.filter((entry) => entry.itemsDue || entry.epochsToShred.length > 0);
    if (command.dryRun) {
      if (due.length === 0) say('nothing is due');
      for (const entry of due) {
        const months = entry.epochsToShred.length > 0 ? `; keys of ${entry.epochsToShred.join(', ')} to destroy` : '';
        say(`${entry.dataClass}: items before ${new Date(entry.deleteItemsBefore ?? 0).toISOString()} are due${months}`);
      }
      return 0;
    }
    const sweeper = new RetentionSweeper({
      keyring,
      contacts: new ContactsRepository(database),
      transcripts: new TranscriptsRepository(database),
      database,
      clock: systemClock,
      timeZone: config.site.timeZone,
      rules: retentionRules(config.policy),
      audit: new AuditLog({ database, clock: systemClock }),
      logger: silentLogger(),
    });
    const result = await sweeper.sweep();
    say(
      `unlinked ${result.contactsUnlinked} contacts; destroyed ${result.phoneNumbersDestroyed} sealed numbers, ` +
        `${result.chatAddressesDestroyed} chat addresses, ${result.mailAddressesDestroyed} mail addresses; ` +
        `deleted ${result.transcriptLinesDeleted} transcript lines and ${result.mailMessagesDeleted} mails`,
    );
    say(`keys destroyed: ${result.keysShredded.map(({ family, epoch }) => `${family} ${epoch}`).join(', ') || 'none'}`);
    return 0;
  });
}
