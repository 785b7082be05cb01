import type { Policy } from '../config/policy-presets.js';
import type { ContactRow } from '../store/contacts-repository.js';
import type { MailMessageRow } from '../store/mail-messages-repository.js';
import type { RegistrationRow } from '../store/registrations-repository.js';
import type { TranscriptLineRow } from '../store/transcripts-repository.js';
import type { Channel } from '../privacy/types.js';
import { localWallTime } from '../retention/retention-calendar.js';

/** The retention periods an access export states; the site's policy. */
export type AccessRetentionFacts = Pick<Policy, 'phoneLinkageMonths' | 'phoneSealedMonths' | 'chatTranscriptMonths'>;

/** A text in both languages the statements are written in. */
export interface BilingualText {
  readonly nl: string;
  readonly en: string;
}

/** Whether the contact's identifier is in the export, and if not, why. */
export type IdentifierState = 'shown' | 'past-retention' | 'not-stored';
export type TranscriptLineState = 'kept' | 'redacted' | 'past-retention';
export type MailState = 'kept' | 'past-retention';

export interface AccessTranscriptLine {
  readonly author: 'caller' | 'volunteer';
  readonly writtenAt: string;
  readonly state: TranscriptLineState;
  /** Null when redacted or past its retention. */
  readonly text: string | null;
}

/** One mail of a mail contact: the person's own mails and the helpline's answers. */
export interface AccessMail {
  /** 'caller' for a mail the person sent, 'volunteer' for the helpline's answer (as transcript lines). */
  readonly author: 'caller' | 'volunteer';
  /** When it came in, or when the answer was written. */
  readonly at: string;
  readonly state: MailState;
  /** Subject and plain text as stored; null once past retention. */
  readonly subject: string | null;
  readonly text: string | null;
  /** Attachments that came with the mail and were never stored. */
  readonly attachmentsNotKept: number;
  /** False for an answer the relay never took: written, but not sent. */
  readonly delivered: boolean;
}

export interface AccessContact {
  readonly reference: string;
  readonly channel: string;
  readonly openedAt: string;
  readonly endedAt: string | null;
  readonly state: string;
  /** "N earlier contacts" as the volunteer saw it when this one arrived. */
  readonly priorContacts: number;
  readonly identifierState: IdentifierState;
  /** E.164 phone number (or the address) while its sealed copy still opens. */
  readonly identifier: string | null;
  readonly registration: { readonly ageBand: string; readonly topic: string; readonly outcome: string; readonly registeredAt: string } | null;
  readonly transcript: readonly AccessTranscriptLine[];
  readonly mails: readonly AccessMail[];
}

export interface AccessDocument {
  readonly format: 'helpline-gateway.access-export.v1';
  readonly request: { readonly reference: string; readonly receivedAt: string; readonly answeredAt: string; readonly timeZone: string };
  readonly nothingLinkableRemains: boolean;
  readonly finding: BilingualText;
  readonly contacts: readonly AccessContact[];
  readonly notLinked: readonly BilingualText[];
  readonly retention: readonly { readonly data: BilingualText; readonly period: BilingualText }[];
}

/** One matched contact with what the box holds about it, already unsealed where the keys allow. */
export interface HeldContact {
  readonly contact: ContactRow;
  readonly identifier: string | null;
  readonly registration: RegistrationRow | undefined;
  readonly transcript: readonly { readonly line: TranscriptLineRow; readonly text: string | undefined }[];
  /** A mail contact's mails, oldest first; `content` undefined once its key is gone. */
  readonly mails: readonly { readonly row: MailMessageRow; readonly content: HeldMailContent | undefined }[];
}

/** What a stored mail holds for the person: what they wrote or were answered, as stored. */
export interface HeldMailContent {
  readonly subject: string;
  readonly text: string;
  readonly attachmentsDropped: number;
}

export interface AccessDocumentInput {
  readonly reference: string;
  readonly receivedAt: number;
  readonly answeredAt: number;
  readonly timeZone: string;
  /** The channel the request named: what the person supplied (a number, an address or a reference). */
  readonly channel: Channel;
  readonly held: readonly HeldContact[];
  readonly retention: AccessRetentionFacts;
}

/**
 * Everything the box holds on the person, as data: times in the site's zone with their offset, the
 * unsealed identifier where its month key still lives, and a truthful sentence when nothing
 * linkable remains. Rendered as JSON (portability) and as a printable page (access-page.ts).
 */
export function accessDocument(input: AccessDocumentInput): AccessDocument {
  const at = (instant: number): string => localIsoTime(instant, input.timeZone);
  const contacts = input.held.map((held): AccessContact => {
    const { contact, registration } = held;
    return {
      reference: contact.reference,
      channel: contact.channel,
      openedAt: at(contact.openedAt),
      endedAt: contact.endedAt === null ? null : at(contact.endedAt),
      state: contact.state,
      priorContacts: contact.priorContacts,
      // A withheld number, or a caller under objection, never had a sealed copy (nor its month).
      identifierState: held.identifier !== null ? 'shown' : contact.sealedEpoch !== null ? 'past-retention' : 'not-stored',
      identifier: held.identifier,
      registration: registration
        ? { ageBand: registration.ageBand, topic: registration.topic, outcome: registration.outcome, registeredAt: at(registration.registeredAt) }
        : null,
      transcript: held.transcript.map(({ line, text }) => ({
        author: line.author,
        writtenAt: at(line.writtenAt),
        state: text !== undefined ? 'kept' : line.redactedAt !== null ? 'redacted' : 'past-retention',
        text: text ?? null,
      })),
      mails: held.mails.map(({ row, content }) => ({
        author: row.direction === 'in' ? 'caller' : 'volunteer',
        at: at(row.at),
        state: content ? 'kept' : 'past-retention',
        subject: content?.subject ?? null,
        text: content?.text ?? null,
        attachmentsNotKept: content?.attachmentsDropped ?? 0,
        delivered: row.delivered,
      })),
    };
  });
  return {
    format: 'helpline-gateway.access-export.v1',
    request: { reference: input.reference, receivedAt: at(input.receivedAt), answeredAt: at(input.answeredAt), timeZone: input.timeZone },
    nothingLinkableRemains: contacts.length === 0,
    finding: contacts.length === 0 ? nothingLinkable(SUPPLIED[input.channel]) : heldFinding(contacts.length, SUPPLIED[input.channel]),
    contacts,
    notLinked: NOT_LINKED,
    retention: retentionPeriods(input.retention, contacts.some((contact) => contact.channel === 'mail')),
  };
}

/** An instant as ISO 8601 local time with its UTC offset, e.g. `2026-03-29T10:00:00+02:00`. */
export function localIsoTime(at: number, timeZone: string): string {
  const wall = localWallTime(at, timeZone);
  const offsetMinutes = Math.round((wall - at) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${new Date(wall).toISOString().slice(0, 19)}${sign}${hours}:${minutes}`;
}

/** What the person gave us, as the finding names it. */
const SUPPLIED: Readonly<Record<Channel, BilingualText>> = {
  phone: { nl: 'het opgegeven nummer of de opgegeven referentie', en: 'the number or reference you gave us' },
  mail: { nl: 'het opgegeven mailadres of de opgegeven referentie', en: 'the e-mail address or reference you gave us' },
  chat: { nl: 'de opgegeven referentie', en: 'the reference you gave us' },
};

function nothingLinkable(supplied: BilingualText): BilingualText {
  return {
    nl: `Wij bewaren niets meer dat met ${supplied.nl} te verbinden is: de bewaartermijn is verstreken, of er is nooit iets van bewaard.`,
    en: `Nothing we hold can still be connected to ${supplied.en}: its retention period has passed, or nothing was ever held.`,
  };
}

function heldFinding(count: number, supplied: BilingualText): BilingualText {
  return {
    nl: `Wij bewaren ${count} ${count === 1 ? 'contact' : 'contacten'} die met ${supplied.nl} te verbinden ${count === 1 ? 'is' : 'zijn'}; hieronder staat alles wat daarvan bewaard is.`,
    en: `We hold ${count} ${count === 1 ? 'contact' : 'contacts'} connected to ${supplied.en}; everything held about ${count === 1 ? 'it' : 'them'} is listed below.`,
  };
}

const NOT_LINKED: readonly BilingualText[] = [
  {
    nl: 'Van elk gesprek bewaren wij een anonieme registratie (datum, kanaal, leeftijdsgroep, onderwerp, afloop) zonder nummer of verwijzing naar jou; die is niet met jou te verbinden en staat hier dus niet.',
    en: 'For every contact we keep an anonymous registration (date, channel, age band, topic, outcome) without any number or link to you; it cannot be connected to you and so is not listed here.',
  },
  {
    nl: 'Naar het landelijk bureau gaan alleen opgetelde aantallen per periode, nooit een nummer of een gesprek.',
    en: 'Only totals per period go to the central office, never a number or a conversation.',
  },
];

function retentionPeriods(facts: AccessRetentionFacts, mailHeld: boolean): AccessDocument['retention'] {
  const months = (count: number): BilingualText => ({ nl: `${count} ${count === 1 ? 'maand' : 'maanden'}`, en: `${count} ${count === 1 ? 'month' : 'months'}` });
  return [
    { data: { nl: 'Telefoonnummer (versleuteld)', en: 'Phone number (encrypted)' }, period: months(facts.phoneSealedMonths) },
    { data: { nl: 'Herkennen van eerdere contacten (pseudoniem)', en: 'Recognizing earlier contacts (pseudonym)' }, period: months(facts.phoneLinkageMonths) },
    { data: { nl: 'Inhoud van chatgesprekken', en: 'Chat conversation content' }, period: months(facts.chatTranscriptMonths) },
    // Every site's rule (retention-rules.ts), stated where the person wrote to us by mail.
    ...(mailHeld
      ? [
          {
            data: { nl: 'Mails en het mailadres (versleuteld)', en: 'Mails and the e-mail address (encrypted)' },
            period: { nl: 'tot het einde van het kalenderjaar (1 januari)', en: 'until the end of the calendar year (1 January)' },
          },
        ]
      : []),
    {
      data: { nl: 'Anonieme registratie en tijdstip van het contact', en: 'Anonymous registration and time of the contact' },
      period: { nl: 'bewaard zonder gegevens die naar jou leiden', en: 'kept without anything that leads to you' },
    },
  ];
}
