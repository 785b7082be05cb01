import type { ContactModeration } from '../contacts/contact-view.js';
import { dutchDateTime } from '../time/dutch-date-time.js';

export interface ConfirmationText {
  readonly subject: string;
  readonly text: string;
}


/**
 * The Lumi statement, "Automatische mailbevestiging": the confirmation itself can give the sender
 * away when the address is someone else's. Every confirmation repeats that warning.
 */
const ADDRESS_WARNING =
  'Let op: we sturen deze bevestiging naar het adres waarvan je mail kwam. Gebruik je het mailadres van iemand ' +
  'anders (bijvoorbeeld van je ouders), dan kan die persoon deze mail en onze antwoorden zien, en dat kan ' +
  'problemen opleveren. Je kan altijd een nieuw e-mailadres aanmaken waarin je naam niet voorkomt, of je mail ' +
  'verzenden via een internetdienst die anonimiteit garandeert.';

const YEAR_END = 'Op het einde van het jaar worden alle mails gewist.';
const AUTOMATIC = 'Dit is een automatisch bericht. Je hoeft er niet op te antwoorden.';
const DANGER = 'Ben je in gevaar of is er iets heel dringend? Bel dan 112.';


/**
 * The automatic confirmation (P10), in Dutch. It never quotes the mail, not even its subject: the
 * confirmation may be read by whoever else uses the address. A sender under a Time Out or block
 * (P4) is told so and until when, instead of being promised an answer.
 */
export function confirmationText(moderation: ContactModeration | null, timeZone: string): ConfirmationText {
  if (moderation === null) {
    return {
      subject: 'We hebben je mail goed ontvangen',
      text: paragraphs(
        'Hallo,',
        'Je mail is goed bij ons aangekomen. Een vrijwilliger leest hem zo snel mogelijk en antwoordt je via mail.',
        ADDRESS_WARNING,
        YEAR_END,
        AUTOMATIC,
      ),
    };
  }
  if (moderation.kind === 'unknown') {
    return {
      subject: 'Je mail kan nu niet behandeld worden',
      text: paragraphs(
        'Hallo,',
        'Je mail is bij ons aangekomen, maar door een technisch probleem kunnen we hem nu niet behandelen. Probeer het later nog eens.',
        DANGER,
        ADDRESS_WARNING,
        AUTOMATIC,
      ),
    };
  }
  const until = dutchDateTime(moderation.until, timeZone);
  const status = moderation.kind === 'time-out' ? `Je hebt een Time Out tot ${until}.` : `Je bent geblokkeerd tot ${until}.`;
  return {
    subject: 'Je mail wordt niet beantwoord',
    text: paragraphs(
      'Hallo,',
      `Je mail is bij ons aangekomen, maar een vrijwilliger zal hem niet lezen. ${status} Daarna kan je ons opnieuw mailen.`,
      DANGER,
      ADDRESS_WARNING,
      AUTOMATIC,
    ),
  };
}

function paragraphs(...parts: string[]): string {
  return `${parts.join('\n\n')}\n`;
}
