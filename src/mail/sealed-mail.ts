import type { ReceivedMail } from './mail-reading.js';

/** What one mail_messages row holds: JSON sealed under the mail-content key of its month. */
export interface SealedMail {
  readonly subject: string;
  readonly text: string;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly attachmentsDropped: number;
}

export function sealedMailOf(mail: ReceivedMail): SealedMail {
  return {
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    attachmentsDropped: mail.attachmentsDropped,
  };
}

/** The unsealed JSON back as a SealedMail; undefined when it is not one. */
export function parseSealedMail(json: string): SealedMail | undefined {
  try {
    const parsed = JSON.parse(json) as Partial<SealedMail>;
    return {
      subject: typeof parsed.subject === 'string' ? parsed.subject : '',
      text: typeof parsed.text === 'string' ? parsed.text : '',
      messageId: typeof parsed.messageId === 'string' ? parsed.messageId : null,
      inReplyTo: typeof parsed.inReplyTo === 'string' ? parsed.inReplyTo : null,
      references: Array.isArray(parsed.references) ? parsed.references.filter((id): id is string => typeof id === 'string') : [],
      attachmentsDropped: typeof parsed.attachmentsDropped === 'number' ? parsed.attachmentsDropped : 0,
    };
  } catch {
    return undefined;
  }
}

export function replySubject(subject: string): string {
  if (subject === '') return 'Antwoord op je mail';
  return /^(re|antw|aw):/i.test(subject) ? subject : `Re: ${subject}`;
}

/** The volunteer's text of a mail: attachments were never kept, and the note says so. */
export function withAttachmentNote(mail: SealedMail): string {
  if (mail.attachmentsDropped === 0) return mail.text;
  const note = `[${mail.attachmentsDropped} bijlage(n) niet bewaard]`;
  return mail.text === '' ? note : `${mail.text}\n\n${note}`;
}
