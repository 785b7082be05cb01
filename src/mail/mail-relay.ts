import nodemailer, { type Transporter } from 'nodemailer';
import { GatewayError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { canonicalText, type RawEmailAddress } from '../privacy/raw-identifier.js';

/** One mail the box sends: a confirmation or a volunteer's answer. */
export interface OutgoingMail {
  /** Unsealed for this send only; its text goes onto the wire here and nowhere else. */
  readonly to: RawEmailAddress;
  readonly subject: string;
  readonly text: string;
  /** Our own Message-ID, `<…@host>`, so a reply to it finds its thread. */
  readonly messageId: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** Confirmations are marked Auto-Submitted (RFC 3834), so well-behaved auto-responders stay silent. */
  readonly automatic: boolean;
  readonly date: number;
}

/** The site's outgoing relay; tests use a fake or a real SMTP peer. */
export interface MailRelay {
  /** Resolves once the relay accepted the mail; rejects with a MailSendError. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * HGW_MAIL_SEND_FAILED with what went wrong and the relay's SMTP reply code, never the reply text:
 * a relay's "550 5.1.1 <someone@example.org>: unknown user" names the recipient.
 */
export class MailSendError extends GatewayError {
  /** The relay's SMTP reply code; null when no reply came (unreachable, timeout, TLS). */
  readonly smtpCode: number | null;
  /** nodemailer's error code (ECONNECTION, ETIMEDOUT, EENVELOPE, EAUTH, …) or 'unknown'. */
  readonly reason: string;

  constructor(reason: string, smtpCode: number | null) {
    super('HGW_MAIL_SEND_FAILED', `the mail relay did not take the mail (${reason}${smtpCode === null ? '' : ` ${smtpCode}`})`);
    this.name = 'MailSendError';
    this.reason = reason;
    this.smtpCode = smtpCode;
  }
}

export interface SmtpMailRelayOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS whenever the relay offers it. */
  readonly secure: boolean;
  readonly username?: string;
  readonly password?: string;
  /** The From address of every mail the box sends (the helpline's mailbox). */
  readonly from: string;
  /** Connect, greeting and idle-socket timeout; default 15 s. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Header text from a volunteer or a sender's subject: one line, so no header can be injected. */
const LINE_BREAKS = /[\r\n]+/g;

/** nodemailer's SMTP transport to the site's relay; one connection per mail (answers are few). */
export class SmtpMailRelay implements MailRelay {
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #logger: Logger;

  constructor(options: SmtpMailRelayOptions) {
    if (!options.host) throw new TypeError('SmtpMailRelay: options.host is required');
    if (!options.from) throw new TypeError('SmtpMailRelay: options.from is required');
    if (Boolean(options.username) !== Boolean(options.password)) throw new TypeError('SmtpMailRelay: username and password go together');
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#from = options.from;
    this.#logger = options.logger.child({ component: 'mail-relay' });
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.username && options.password ? { auth: { user: options.username, pass: options.password } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // nodemailer's own logger would print envelopes (addresses) and message text.
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const to = canonicalText(mail.to);
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to,
        envelope: { from: this.#from, to },
        subject: mail.subject.replace(LINE_BREAKS, ' '),
        text: mail.text,
        messageId: mail.messageId,
        date: new Date(mail.date),
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references.length > 0 ? { references: [...mail.references] } : {}),
        headers: mail.automatic ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {},
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    } catch (error) {
      const failure = toSendError(error);
      this.#logger.warn({ code: failure.code, reason: failure.reason, smtpCode: failure.smtpCode }, 'mail relay did not take a mail');
      throw failure;
    }
  }

  close(): void {
    this.#transport.close();
  }
}

function toSendError(error: unknown): MailSendError {
  if (error === null || typeof error !== 'object') return new MailSendError('unknown', null);
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const reason = typeof code === 'string' && /^[A-Z_]{2,32}$/.test(code) ? code : 'unknown';
  const smtpCode = typeof responseCode === 'number' && Number.isInteger(responseCode) ? responseCode : null;
  return new MailSendError(reason, smtpCode);
}
