import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../../src/log/logger.js';
import { MailDesk, type MailDeskOptions } from '../../src/mail/mail-desk.js';
import { SmtpMailRelay } from '../../src/mail/mail-relay.js';
import { SmtpIntake } from '../../src/mail/smtp-intake.js';
import type { SuggestedSpan } from '../../src/contacts/conversation-view.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';

export const HELPLINE = 'hulp@lumi.example';
export const DOMAIN = 'gateway.lumi.example';

/** A mail the site's relay took: its envelope and the parsed message. */
export interface RelayedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

/**
 * The site's relay: a real SMTP server on loopback that keeps what it takes. `failWith` makes it
 * refuse every mail with that code (451: the relay is having trouble) until set back to null.
 */
export class CapturingRelay {
  readonly received: RelayedMail[] = [];
  failWith: number | null = null;
  readonly #server: SMTPServer;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 500,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.failWith !== null) {
            // Real relays name the recipient in their refusal; the box must not pass that text on.
            const recipient = session.envelope.rcptTo[0]?.address ?? '';
            callback(Object.assign(new Error(`relay trouble, <${recipient}> unknown`), { responseCode: this.failWith }));
            return;
          }
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            this.received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw,
              parsed,
            });
            callback();
          }, callback);
        });
      },
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export interface MailFixture {
  readonly desk: DeskFixture;
  readonly mails: MailMessagesRepository;
  readonly mailDesk: MailDesk;
  readonly intake: SmtpIntake;
  readonly relay: CapturingRelay;
  readonly smtpRelay: SmtpMailRelay;
  readonly logLines: string[];
  /** Hands a mail to the box's SMTP listener the way the site's mail server would. */
  send(message: SendMailOptions): Promise<{ ok: true } | { ok: false; responseCode: number | undefined }>;
  close(): Promise<void>;
}

export interface MailFixtureOptions {
  readonly start?: Date;
  readonly maxMessageBytes?: number;
  readonly mailsPerHourPerSender?: number;
  readonly mailsPerHourPerHost?: number;
  readonly allowedClients?: readonly string[];
  readonly suggest?: (text: string) => readonly SuggestedSpan[];
  /** The intake gate of the desk and the SMTP listener (a FaultRegister in main.ts). */
  readonly intake?: { accepting(): boolean };
}

/** A MailDesk over a desk fixture's intake, contacts, database, vault and clock, as main.ts wires it (not started). */
export function mailDeskOver(desk: DeskFixture, wiring: Pick<MailDeskOptions, 'mails' | 'relay' | 'timeZone' | 'messageIdDomain' | 'logger'> & Partial<Pick<MailDeskOptions, 'suggest'>>): MailDesk {
  return new MailDesk({
    intake: desk.desk,
    contacts: desk.contacts,
    database: desk.database,
    vault: desk.vault,
    clock: desk.clock,
    suggest: () => [],
    ...wiring,
  });
}

export async function mailFixture(options: MailFixtureOptions = {}): Promise<MailFixture> {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const desk = deskFixture(options.start ?? new Date('2026-05-12T10:00:00+02:00'), 'Europe/Brussels', { logger, ...(options.intake ? { intake: options.intake } : {}) });
  const relay = new CapturingRelay();
  const relayPort = await relay.start();
  const smtpRelay = new SmtpMailRelay({ host: '127.0.0.1', port: relayPort, secure: false, from: `Lumi <${HELPLINE}>`, timeoutMs: 5_000, logger });
  const mails = new MailMessagesRepository(desk.database);
  const mailDesk = mailDeskOver(desk, { mails, relay: smtpRelay, suggest: options.suggest ?? (() => []), timeZone: 'Europe/Brussels', messageIdDomain: DOMAIN, logger });
  mailDesk.start();
  const intake = new SmtpIntake({
    listen: { host: '127.0.0.1', port: 0 },
    hostname: DOMAIN,
    allowedClients: options.allowedClients ?? [],
    recipients: [HELPLINE],
    maxMessageBytes: options.maxMessageBytes ?? 100_000,
    mailsPerHourPerSender: options.mailsPerHourPerSender ?? 10,
    ...(options.mailsPerHourPerHost === undefined ? {} : { mailsPerHourPerHost: options.mailsPerHourPerHost }),
    deliver: (mail) => mailDesk.receive(mail),
    ...(options.intake ? { intake: options.intake } : {}),
    clock: desk.clock,
    logger,
  });
  await intake.start();
  return {
    desk,
    mails,
    mailDesk,
    intake,
    relay,
    smtpRelay,
    logLines,
    async send(message) {
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: intake.port, secure: false, ignoreTLS: true, logger: false });
      try {
        await client.sendMail(message);
        return { ok: true };
      } catch (error) {
        return { ok: false, responseCode: (error as { responseCode?: number }).responseCode };
      } finally {
        client.close();
      }
    },
    async close() {
      await mailDesk.stop();
      await intake.stop();
      smtpRelay.close();
      await relay.stop();
      desk.close();
    },
  };
}

/** A raw RFC 5322 message (CRLF line ends) from the lines given. */
export function rawMail(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** Waits for the relay to hold `count` mails (the confirmation goes out after the 250). */
export async function relayedCount(fixture: MailFixture, count: number): Promise<void> {
  await fixture.mailDesk.idle();
  if (fixture.relay.received.length < count) throw new Error(`the relay holds ${fixture.relay.received.length} mails, expected ${count}`);
}
