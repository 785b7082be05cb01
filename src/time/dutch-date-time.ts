import { localDateTime, weekdayOf } from './local-date-time.js';

const WEEKDAYS = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'] as const;
const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'] as const;

/** "woensdag 13 mei 2026 om 10:00" at `at` in `timeZone`: how a chatter or a sender is told until when. */
export function dutchDateTime(at: number, timeZone: string): string {
  const local = localDateTime(at, timeZone);
  const time = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
  return `${WEEKDAYS[weekdayOf(local)] ?? ''} ${local.day} ${MONTHS[local.month - 1] ?? ''} ${local.year} om ${time}`;
}
