export { MailDesk, type MailDeskOptions, type MailIntake } from './mail-desk.js';
export { SmtpIntake, type SmtpIntakeOptions } from './smtp-intake.js';
export { SmtpMailRelay, MailSendError, type MailRelay, type OutgoingMail, type SmtpMailRelayOptions } from './mail-relay.js';
export type { ReceivedMail } from './mail-reading.js';
export { confirmationText, type ConfirmationText } from './confirmation-text.js';
