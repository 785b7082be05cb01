import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { HourlyWindow, senderKeyer } from './hourly-window.js';
import { readMail, type ReceivedMail } from './mail-reading.js';

export interface SmtpIntakeOptions {
  readonly listen: { readonly host: string; readonly port: number };
  /** Name in the greeting (config mail.smtp.hostname). */
  readonly hostname: string;
  /** Addresses or CIDR ranges allowed to hand over mail; empty: loopback only. */
  readonly allowedClients: readonly string[];
  /** The helpline's own addresses; any other RCPT gets 550. */
  readonly recipients: readonly string[];
  readonly maxMessageBytes: number;
  readonly mailsPerHourPerSender: number;
  /** Mails per hour from one connecting host (the site's mail server hands over all of them); default 600. */
  readonly mailsPerHourPerHost?: number;
  /** Open connections from one host; default 10. */
  readonly connectionsPerHost?: number;
  /** Stores the mail; the 250 goes out only once this resolves, so a failure leaves the mail with the sender. */
  readonly deliver: (mail: ReceivedMail) => Promise<void>;
  /**
   * False while a fault stops intake (src/health): every RCPT gets 452, so the sending server
   * keeps the mail and tries again later. Without it intake never stops.
   */
  readonly intake?: { accepting(): boolean };
  readonly clock: Clock;
  readonly logger: Logger;
}

type Refusal = 'client-not-allowed' | 'too-many-connections' | 'host-flood' | 'unknown-recipient' | 'too-large' | 'malformed' | 'no-sender' | 'sender-flood' | 'not-stored' | 'intake-stopped';

const REFUSALS: Readonly<Record<Refusal, { readonly smtp: number; readonly code?: string; readonly reply: string }>> = {
  'client-not-allowed': { smtp: 554, reply: 'this host may not hand over mail here' },
  'too-many-connections': { smtp: 421, code: 'HGW_MAIL_FLOOD', reply: 'too many connections from your host, try again later' },
  'host-flood': { smtp: 451, code: 'HGW_MAIL_FLOOD', reply: 'too many mails from your host this hour, try again later' },
  'unknown-recipient': { smtp: 550, reply: 'no such mailbox here' },
  'too-large': { smtp: 552, code: 'HGW_MAIL_TOO_LARGE', reply: 'message too large' },
  malformed: { smtp: 550, code: 'HGW_MAIL_MALFORMED', reply: 'the mail could not be read' },
  'no-sender': { smtp: 550, code: 'HGW_MAIL_NO_SENDER', reply: 'no readable sender address' },
  'sender-flood': { smtp: 451, code: 'HGW_MAIL_FLOOD', reply: 'too many mails from this sender this hour, try again later' },
  'not-stored': { smtp: 451, reply: 'the mail could not be stored, try again later' },
  // RFC 5321 452: insufficient system storage; a temporary failure, so the sender keeps the mail.
  'intake-stopped': { smtp: 452, code: 'HGW_INTAKE_STOPPED', reply: 'mailbox temporarily not taking mail, try again later' },
};

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * The SMTP listener the site's mail server forwards the helpline mailbox to: site-internal, so no
 * AUTH and no STARTTLS, but only the allowed hosts, only the helpline's recipients, SIZE enforced,
 * flood limits per sender and per host. Every refusal is one log line without any address; the
 * mail is acknowledged only once `deliver` stored it.
 */
export class SmtpIntake {
  readonly #options: SmtpIntakeOptions;
  readonly #logger: Logger;
  readonly #server: SMTPServer;
  readonly #allowed: readonly Range[];
  readonly #recipients: ReadonlySet<string>;
  readonly #keyOf = senderKeyer();
  readonly #senderWindow: HourlyWindow;
  readonly #hostWindow: HourlyWindow;
  readonly #openByHost = new Map<string, number>();
  readonly #hostOfSession = new Map<string, string>();
  #listening = false;

  constructor(options: SmtpIntakeOptions) {
    for (const name of ['listen', 'hostname', 'allowedClients', 'recipients', 'deliver', 'clock', 'logger'] as const) {
      if (!options[name]) throw new TypeError(`SmtpIntake: options.${name} is required`);
    }
    if (options.recipients.length === 0) throw new TypeError('SmtpIntake: options.recipients must name the helpline mailbox');
    this.#options = options;
    this.#logger = options.logger.child({ component: 'mail-intake' });
    this.#allowed = (options.allowedClients.length > 0 ? options.allowedClients : LOOPBACK).map(parseRange);
    this.#recipients = new Set(options.recipients.map((address) => address.trim().toLowerCase()));
    this.#senderWindow = new HourlyWindow(options.mailsPerHourPerSender);
    this.#hostWindow = new HourlyWindow(options.mailsPerHourPerHost ?? 600);
    this.#server = new SMTPServer({
      name: options.hostname,
      banner: 'helpline-gateway',
      size: options.maxMessageBytes,
      rejectOversized: true,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      disableReverseLookup: true,
      // smtp-server's logger prints addresses and envelopes.
      logger: false,
      maxClients: 100,
      socketTimeout: 60_000,
      closeTimeout: 2_000,
      onConnect: (session, callback) => callback(this.#admitConnection(session)),
      onMailFrom: (_address, session, callback) => callback(this.#admitMailFrom(session)),
      onRcptTo: (address, _session, callback) => callback(this.#admitRecipient(address.address)),
      onData: (stream, session, callback) => {
        this.#receive(stream, session).then(
          () => callback(null, 'OK: stored'),
          (error: unknown) => callback(error instanceof Error ? error : this.#refuse('not-stored')),
        );
      },
      onClose: (session) => this.#forgetSession(session),
    });
    this.#server.on('error', (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      this.#logger.warn({ code: typeof code === 'string' ? code : 'unknown' }, 'smtp connection error');
    });
  }

  async start(): Promise<void> {
    if (this.#listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.server.once('error', onError);
      this.#server.listen(this.#options.listen.port, this.#options.listen.host, () => {
        this.#server.server.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    this.#logger.info({ port: this.port }, 'smtp listener started');
  }

  /** The bound port (the configured one, or the one the system chose for port 0). */
  get port(): number {
    const address = this.#server.server.address() as AddressInfo | null;
    return address?.port ?? this.#options.listen.port;
  }

  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#openByHost.clear();
    this.#hostOfSession.clear();
  }

  #admitConnection(session: SMTPServerSession): Error | null {
    const host = canonicalHost(session.remoteAddress);
    if (!host || !this.#allowed.some((range) => inRange(host, range))) return this.#refuse('client-not-allowed');
    const key = host.toString();
    const open = this.#openByHost.get(key) ?? 0;
    if (open >= (this.#options.connectionsPerHost ?? 10)) return this.#refuse('too-many-connections');
    this.#openByHost.set(key, open + 1);
    this.#hostOfSession.set(session.id, key);
    return null;
  }

  #forgetSession(session: SMTPServerSession): void {
    const key = this.#hostOfSession.get(session.id);
    if (key === undefined) return;
    this.#hostOfSession.delete(session.id);
    const open = (this.#openByHost.get(key) ?? 1) - 1;
    if (open > 0) this.#openByHost.set(key, open);
    else this.#openByHost.delete(key);
  }

  #admitMailFrom(session: SMTPServerSession): Error | null {
    const key = this.#hostOfSession.get(session.id) ?? session.remoteAddress;
    return this.#hostWindow.admit(key, this.#options.clock.now()) ? null : this.#refuse('host-flood');
  }

  #admitRecipient(address: string): Error | null {
    if (!this.#recipients.has(address.trim().toLowerCase())) return this.#refuse('unknown-recipient');
    return this.#accepting() ? null : this.#refuse('intake-stopped');
  }

  #accepting(): boolean {
    return this.#options.intake?.accepting() ?? true;
  }

  async #receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await collect(stream, this.#options.maxMessageBytes);
    if (stream.sizeExceeded) throw this.#refuse('too-large');
    const mailFrom = session.envelope.mailFrom;
    const reading = await readMail(raw, {
      envelopeFrom: mailFrom ? mailFrom.address : '',
      receivedAt: this.#options.clock.now(),
      keyOf: this.#keyOf,
    });
    if (!reading.ok) throw this.#refuse(reading.code === 'HGW_MAIL_NO_SENDER' ? 'no-sender' : 'malformed');
    const mail = reading.mail;
    if (!this.#senderWindow.admit(mail.senderKey, mail.receivedAt)) throw this.#refuse('sender-flood');
    try {
      await this.#options.deliver(mail);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      this.#logger.error({ code: typeof code === 'string' ? code : 'unknown' }, 'mail not stored');
      // A fault that began while the mail came in (the write that failed may have raised it).
      throw this.#refuse(code === 'HGW_INTAKE_STOPPED' || !this.#accepting() ? 'intake-stopped' : 'not-stored');
    }
    this.#logger.info({ sizeBytes: mail.sizeBytes, attachmentsDropped: mail.attachmentsDropped, automatic: mail.automatic }, 'mail accepted');
  }

  /** The one log line of a refusal (no address, no mail text) and the error smtp-server answers with. */
  #refuse(refusal: Refusal): Error {
    const { smtp, code, reply } = REFUSALS[refusal];
    this.#logger.warn({ ...(code ? { code } : {}), smtp, refusal }, 'mail refused');
    return Object.assign(new Error(`${reply}${code ? ` (${code})` : ''}`), { responseCode: smtp });
  }
}

/** The DATA bytes, keeping no more than the limit (smtp-server still counts the rest for SIZE). */
async function collect(stream: SMTPServerDataStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (kept + chunk.length <= limit) {
      chunks.push(chunk);
      kept += chunk.length;
    }
  }
  return Buffer.concat(chunks, kept);
}

function canonicalHost(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const address = ipaddr.parse(text);
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

function parseRange(text: string): Range {
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const address = canonicalHost(text);
  if (!address) throw new TypeError('SmtpIntake: an allowed client is not an IP address or CIDR range');
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [network, bits]: Range): boolean {
  return address.kind() === network.kind() && address.match([network, bits] as [typeof address, number]);
}
