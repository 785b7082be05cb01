import { describe, expect, it } from 'vitest';
import { senderKeyer } from '../../src/mail/hourly-window.js';
import { readMail, type MailReading } from '../../src/mail/mail-reading.js';
import { normalizeEmailAddress } from '../../src/privacy/normalize.js';
import { rawMail } from './mail-fixture.js';

const keyOf = senderKeyer();

function read(raw: string, envelopeFrom = 'envelope@example.org'): Promise<MailReading> {
  return readMail(Buffer.from(raw, 'utf8'), { envelopeFrom, receivedAt: 0, keyOf });
}

const HOSTILE_HTML = rawMail(
  'From: Kim <Kim.Test@Example.org>',
  'Subject: hoi',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<html><head><style>p{color:red}</style><script>alert("xss-script")</script></head><body>',
  '<p>Hallo <b>daar</b></p><img src="x" onerror="alert(\'xss-img\')">',
  '<a href="javascript:alert(\'xss-link\')">klik hier</a> <a href="https://example.org/info">info</a>',
  '<iframe src="https://evil.example"></iframe><svg onload="alert(1)"></svg></body></html>',
);

describe('reading a mail', () => {
  it('reduces hostile HTML to plain text: no script, no event handler, no javascript: link, no tag', async () => {
    const reading = await read(HOSTILE_HTML);
    expect(reading.ok).toBe(true);
    const text = reading.ok ? reading.mail.text : '';
    expect(text).toContain('Hallo daar');
    expect(text).toContain('klik hier');
    expect(text).not.toMatch(/xss|alert|javascript:|onerror|onload|<\w|script/i);
  });

  it('drops attachments unread and counts them for the volunteer’s note', async () => {
    const reading = await read(
      rawMail(
        'From: a@example.org',
        'Content-Type: multipart/mixed; boundary="zz"',
        '',
        '--zz',
        'Content-Type: text/plain',
        '',
        'Zie bijlage.',
        '--zz',
        'Content-Type: application/pdf; name="rapport.pdf"',
        'Content-Disposition: attachment; filename="rapport.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQK',
        '--zz--',
      ),
    );
    expect(reading).toMatchObject({ ok: true, mail: { text: 'Zie bijlage.', attachmentsDropped: 1 } });
  });

  it('takes the sender from From in canonical form, the same key whatever the casing', async () => {
    const reading = await read(rawMail('From: "Kim" <Kim.Test@Example.ORG>', 'Subject: x', '', 'tekst'));
    const expected = normalizeEmailAddress('kim.test@example.org')!;
    expect(reading.ok && reading.mail.sender.sameAs(expected)).toBe(true);
    expect(reading.ok && reading.mail.senderKey).toBe(keyOf(' kim.test@example.org'));
    expect(String(reading.ok && reading.mail.sender)).toBe('[email withheld]');
  });

  it('refuses binary junk, an empty body without subject and broken base64 as malformed', async () => {
    const junk = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256));
    expect(await readMail(junk, { envelopeFrom: 'a@example.org', receivedAt: 0, keyOf })).toMatchObject({ ok: false, code: 'HGW_MAIL_MALFORMED' });
    expect(await read(rawMail('From: a@example.org', '', '   '))).toMatchObject({ ok: false, code: 'HGW_MAIL_MALFORMED' });
    const controls = rawMail('From: a@example.org', 'Content-Type: text/plain; charset=utf-8', '', `a${'\u0001\u0002\u0003'.repeat(20)}`);
    expect(await read(controls)).toMatchObject({ ok: false, code: 'HGW_MAIL_MALFORMED' });
  });

  it('keeps a mail that has only a subject', async () => {
    expect(await read(rawMail('From: a@example.org', 'Subject: help', '', ''))).toMatchObject({ ok: true, mail: { subject: 'help', text: '' } });
  });

  it('tells automatic mail apart', async () => {
    const automatic = async (...headers: string[]): Promise<boolean> => {
      const reading = await read(rawMail('From: a@example.org', ...headers, 'Subject: x', '', 'tekst'));
      return reading.ok && reading.mail.automatic;
    };
    expect(await automatic()).toBe(false);
    expect(await automatic('Auto-Submitted: no')).toBe(false);
    expect(await automatic('Auto-Submitted: auto-generated')).toBe(true);
    expect(await automatic('Precedence: junk')).toBe(true);
    expect(await automatic('List-Unsubscribe: <mailto:x@example.org>')).toBe(true);
    expect(await automatic('Content-Type: multipart/report; report-type=delivery-status; boundary="b"')).toBe(true);
    const bounce = await read(rawMail('From: Mail Delivery <postmaster@example.org>', 'Subject: x', '', 'tekst'));
    expect(bounce.ok && bounce.mail.automatic).toBe(true);
    const nullSender = await read(rawMail('From: a@example.org', 'Subject: x', '', 'tekst'), '');
    expect(nullSender.ok && nullSender.mail.automatic).toBe(true);
  });

  it('keeps the threading headers only when they are shaped like Message-IDs', async () => {
    const reading = await read(rawMail('From: a@example.org', 'Message-ID: <m1@example.org>', 'In-Reply-To: <K7Q-3F9.abcdefghijkl@gw>', 'References: <x@y> <z@w>', 'Subject: x', '', 'tekst'));
    expect(reading).toMatchObject({ ok: true, mail: { messageId: '<m1@example.org>', inReplyTo: '<K7Q-3F9.abcdefghijkl@gw>', references: ['<x@y>', '<z@w>'] } });
    const oversized = await read(rawMail('From: a@example.org', `Message-ID: <${'m'.repeat(300)}@example.org>`, 'Subject: x', '', 'tekst'));
    expect(oversized).toMatchObject({ ok: true, mail: { messageId: null, inReplyTo: null, references: [] } });
  });
});
