import type { Keyring } from '../privacy/keyring.js';
import type { ContactsRepository } from '../store/contacts-repository.js';
import type { RegistrationsRepository } from '../store/registrations-repository.js';
import type { TranscriptsRepository } from '../store/transcripts-repository.js';
import { planRetention, type RetentionPlan } from './retention-plan.js';
import type { RetentionRule } from './retention-rules.js';

export interface RetentionStores {
  readonly contacts: ContactsRepository;
  readonly transcripts: TranscriptsRepository;
  readonly registrations: RegistrationsRepository;
  /** Absent where mail is not configured: no mails are stored then. */
  readonly mails?: { oldestAt(): number | undefined };
  readonly keyring: Pick<Keyring, 'linkEpochs' | 'vaultEpochs'>;
}

/**
 * The plan over what the box stores now: per class its oldest item and its live month keys. The
 * oldest-item reads are table scans, so this is for `retention status` and the coordinator page,
 * not for a timer.
 */
export function currentRetentionPlan(rules: readonly RetentionRule[], now: number, timeZone: string, stores: RetentionStores): RetentionPlan {
  const { contacts, transcripts, registrations, mails, keyring } = stores;
  return planRetention(rules, now, timeZone, {
    'phone-linkage': { oldestItemAt: contacts.oldestLinkedAt(), liveEpochs: keyring.linkEpochs() },
    'phone-number': { oldestItemAt: contacts.oldestSealedAt('phone'), liveEpochs: keyring.vaultEpochs('phone-number') },
    'chat-transcript': { oldestItemAt: transcripts.oldestWrittenAt(), liveEpochs: keyring.vaultEpochs('chat-transcript') },
    'chat-ip': { oldestItemAt: contacts.oldestSealedAt('chat'), liveEpochs: keyring.vaultEpochs('chat-ip') },
    mail: { oldestItemAt: contacts.oldestSealedAt('mail'), liveEpochs: keyring.vaultEpochs('mail-address') },
    'mail-content': { oldestItemAt: mails?.oldestAt(), liveEpochs: keyring.vaultEpochs('mail-content') },
    registration: { oldestItemAt: registrations.oldestOccurredAt() },
  });
}
