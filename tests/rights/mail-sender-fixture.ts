import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/logger.js';
import type { MailDesk, MailRelay, OutgoingMail } from '../../src/mail/index.js';
import { readMail } from '../../src/mail/mail-reading.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import type { DeskFixture } from '../contacts/desk-fixture.js';
import { mailDeskOver } from '../mail/mail-fixture.js';

export const STATION = 'desk-1';

/** The site's relay in memory: it takes every mail, or refuses all while `refusing`. */
class MemoryRelay implements MailRelay {
  readonly sent: OutgoingMail[] = [];
  refusing = false;

  async send(mail: OutgoingMail): Promise<void> {
    if (this.refusing) throw new Error('relay refuses');
    this.sent.push(mail);
  }

  close(): void {}
}

export interface MailSender {
  readonly mailDesk: MailDesk;
  readonly mails: MailMessagesRepository;
  readonly relay: MemoryRelay;
  /**
   * Hands a mail to the desk at the clock's time as the SMTP listener would (parsed by the intake's
   * own reader) and returns its thread's reference. `headers` go before the body (In-Reply-To…).
   */
  receive(from: string, subject: string, body: string, headers?: readonly string[]): Promise<ContactReference>;
  /** A volunteer opens the thread, answers it through the relay, and closes it. */
  answered(reference: ContactReference, text: string): Promise<void>;
}

/** A MailDesk over the fixture's contact desk, as main.ts wires it, with the relay in memory. */
export function mailSender(desk: DeskFixture, timeZone = 'Europe/Amsterdam'): MailSender {
  const mails = new MailMessagesRepository(desk.database);
  const relay = new MemoryRelay();
  const mailDesk = mailDeskOver(desk, { mails, relay, timeZone, messageIdDomain: 'gateway.example', logger: silentLogger() });
  let lastThread: ContactReference | undefined;
  mailDesk.onThreadChanged((view) => {
    lastThread = view.reference;
  });
  return {
    mailDesk,
    mails,
    relay,
    async receive(from, subject, body, headers = []) {
      const raw = [`From: ${from}`, 'To: hulp@helpline.example', `Subject: ${subject}`, ...headers, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
      const reading = await readMail(Buffer.from(raw, 'utf8'), { envelopeFrom: from, receivedAt: desk.clock.now(), keyOf: (text) => text.toLowerCase() });
      if (!reading.ok) throw new Error(`mail not readable: ${reading.code}`);
      lastThread = undefined;
      await mailDesk.receive(reading.mail);
      await mailDesk.idle();
      if (!lastThread) throw new Error('the mail opened or joined no thread');
      return lastThread;
    },
    async answered(reference, text) {
      const opened = mailDesk.open(reference, STATION);
      if (!opened.ok) throw new Error(`open refused: ${opened.code}`);
      const answer = await mailDesk.answer(reference, STATION, text);
      if (!answer.ok) throw new Error(`answer refused: ${answer.code}`);
      const closed = mailDesk.close(reference, STATION);
      if (!closed.ok) throw new Error(`close refused: ${closed.code}`);
    },
  };
}
