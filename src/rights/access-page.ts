import type { AccessContact, AccessDocument, AccessMail, BilingualText, IdentifierState, MailState, TranscriptLineState } from './access-document.js';

/**
 * The access export as one printable HTML page: no script, no external resource (the policy in the
 * page forbids both), every value escaped, labels in Dutch and English. Transcript text is what the
 * person typed: escaping is what keeps it text.
 */
export function renderAccessPage(document: AccessDocument): string {
  const body = [
    `<h1>${bilingual({ nl: 'Inzage in je gegevens', en: 'Access to your data' })}</h1>`,
    table([
      [{ nl: 'Verzoek', en: 'Request' }, document.request.reference],
      [{ nl: 'Ontvangen', en: 'Received' }, document.request.receivedAt],
      [{ nl: 'Beantwoord', en: 'Answered' }, document.request.answeredAt],
      [{ nl: 'Tijdzone', en: 'Time zone' }, document.request.timeZone],
    ]),
    `<p class="finding">${bilingual(document.finding)}</p>`,
    ...document.contacts.map(contactSection),
    `<h2>${bilingual({ nl: 'Wat niet met jou te verbinden is', en: 'What cannot be connected to you' })}</h2>`,
    ...document.notLinked.map((text) => `<p>${bilingual(text)}</p>`),
    `<h2>${bilingual({ nl: 'Bewaartermijnen', en: 'Retention periods' })}</h2>`,
    table(document.retention.map(({ data, period }) => [data, `${period.nl} / ${period.en}`])),
  ];
  return `<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(`Inzage / Access ${document.request.reference}`)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

/** Text as HTML text or attribute content: the five characters that could end either. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const STYLE = [
  'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}',
  'table{border-collapse:collapse;margin:0.5rem 0 1rem}',
  'th,td{border:1px solid #999;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}',
  'th{background:#eee;font-weight:600}',
  '.en{color:#444;font-style:italic}',
  '.finding{font-weight:600}',
  'section{break-inside:avoid;border-top:2px solid #111;margin-top:1.5rem}',
  '.line{white-space:pre-wrap}',
  '@media print{body{margin:0;max-width:none}a{color:inherit}}',
].join('');

const IDENTIFIER_STATES: Readonly<Record<IdentifierState, BilingualText>> = {
  shown: { nl: 'bewaard (versleuteld)', en: 'held (encrypted)' },
  'past-retention': { nl: 'niet meer bewaard: bewaartermijn verstreken', en: 'no longer held: retention period passed' },
  'not-stored': { nl: 'nooit bewaard', en: 'never stored' },
};

const LINE_STATES: Readonly<Record<TranscriptLineState, BilingualText>> = {
  kept: { nl: 'bewaard', en: 'held' },
  redacted: { nl: 'verwijderd door de vrijwilliger', en: 'removed by the volunteer' },
  'past-retention': { nl: 'niet meer bewaard: bewaartermijn verstreken', en: 'no longer held: retention period passed' },
};

const MAIL_STATES: Readonly<Record<MailState, BilingualText>> = {
  kept: { nl: 'bewaard', en: 'held' },
  'past-retention': { nl: 'niet meer bewaard: bewaartermijn verstreken', en: 'no longer held: retention period passed' },
};

const MAIL_AUTHORS: Readonly<Record<AccessMail['author'], BilingualText>> = {
  caller: { nl: 'jouw mail', en: 'your mail' },
  volunteer: { nl: 'ons antwoord', en: 'our answer' },
};

/** The mails of a mail contact: each its own table, the text kept as the person or volunteer wrote it. */
function mailsPart(mails: readonly AccessMail[]): string {
  if (mails.length === 0) return '';
  const one = (mail: AccessMail): string => {
    const rows: Array<[BilingualText, string]> = [
      [{ nl: 'Door', en: 'By' }, `${MAIL_AUTHORS[mail.author].nl} / ${MAIL_AUTHORS[mail.author].en}`],
      [{ nl: 'Tijd', en: 'Time' }, mail.at],
    ];
    if (mail.author === 'volunteer' && !mail.delivered) rows.push([{ nl: 'Verzonden', en: 'Sent' }, 'nee, niet verzonden / no, not sent']);
    if (mail.state !== 'kept') return `${table(rows)}\n<p>${bilingual(MAIL_STATES[mail.state])}</p>`;
    rows.push([{ nl: 'Onderwerp', en: 'Subject' }, mail.subject ?? '']);
    if (mail.attachmentsNotKept > 0) rows.push([{ nl: 'Bijlagen', en: 'Attachments' }, `${mail.attachmentsNotKept}: nooit bewaard / never stored`]);
    return `${table(rows)}\n<p class="line">${escapeHtml(mail.text ?? '')}</p>`;
  };
  return `<h3>${bilingual({ nl: 'Mails', en: 'Mails' })}</h3>\n${mails.map(one).join('\n')}`;
}

function contactSection(contact: AccessContact): string {
  const rows: Array<[BilingualText, string]> = [
    [{ nl: 'Kanaal', en: 'Channel' }, contact.channel],
    [{ nl: 'Begonnen', en: 'Opened' }, contact.openedAt],
    [{ nl: 'Beëindigd', en: 'Ended' }, contact.endedAt ?? '—'],
    [{ nl: 'Status', en: 'State' }, contact.state],
    [{ nl: 'Eerdere contacten (zoals getoond)', en: 'Earlier contacts (as shown)' }, String(contact.priorContacts)],
    [
      { nl: contact.channel === 'phone' ? 'Telefoonnummer' : 'Adres', en: contact.channel === 'phone' ? 'Phone number' : 'Address' },
      contact.identifier ?? `${IDENTIFIER_STATES[contact.identifierState].nl} / ${IDENTIFIER_STATES[contact.identifierState].en}`,
    ],
  ];
  if (contact.registration) {
    rows.push(
      [{ nl: 'Leeftijdsgroep', en: 'Age band' }, contact.registration.ageBand],
      [{ nl: 'Onderwerp', en: 'Topic' }, contact.registration.topic],
      [{ nl: 'Afloop', en: 'Outcome' }, contact.registration.outcome],
      [{ nl: 'Geregistreerd', en: 'Registered' }, contact.registration.registeredAt],
    );
  }
  const transcript =
    contact.transcript.length === 0
      ? ''
      : `<h3>${bilingual({ nl: 'Gesprek', en: 'Conversation' })}</h3>\n<table><tr><th>${bilingual({ nl: 'Tijd', en: 'Time' })}</th><th>${bilingual({ nl: 'Door', en: 'By' })}</th><th>${bilingual({ nl: 'Tekst', en: 'Text' })}</th></tr>\n${contact.transcript
          .map(
            (line) =>
              `<tr><td>${escapeHtml(line.writtenAt)}</td><td>${escapeHtml(line.author)}</td><td class="line">${
                line.text === null ? bilingual(LINE_STATES[line.state]) : escapeHtml(line.text)
              }</td></tr>`,
          )
          .join('\n')}\n</table>`;
  return `<section>\n<h2>${bilingual({ nl: 'Contact', en: 'Contact' })} ${escapeHtml(contact.reference)}</h2>\n${table(rows)}\n${transcript}${mailsPart(contact.mails)}</section>`;
}

function table(rows: ReadonlyArray<readonly [BilingualText, string]>): string {
  return `<table>\n${rows.map(([label, value]) => `<tr><th>${bilingual(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}\n</table>`;
}

function bilingual(text: BilingualText): string {
  return text.nl === text.en ? escapeHtml(text.nl) : `${escapeHtml(text.nl)} <span class="en" lang="en">/ ${escapeHtml(text.en)}</span>`;
}
