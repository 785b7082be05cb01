import type { DayChannelCount, TopicCount } from './dashboard-queries.js';

/**
 * The dashboard's charts as inline SVG made on the server: no script, no external resource, only
 * presentation attributes (the page's CSP allows no inline style). A suppressed total is never
 * drawn as zero: the bar shows what was published and a hatched cap says the real number is
 * higher by an unknown amount.
 */
export const CHANNEL_LABELS: Readonly<Record<string, string>> = { phone: 'Telefoon', chat: 'Chat', mail: 'Mail' };
const CHANNEL_COLOURS: Readonly<Record<string, string>> = { phone: '#1f6f8b', chat: '#d9731c', mail: '#6a4c93' };
const CHANNELS = ['phone', 'chat', 'mail'] as const;
const CAP = 7;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hatch(id: string): string {
  return `<defs><pattern id="${id}" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#ffffff"/><path d="M0,6 L6,0" stroke="#444444" stroke-width="1.2"/></pattern></defs>`;
}

/** A round step for the value axis: 1, 2 or 5 times a power of ten. */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(1, max) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? raw;
  return Math.max(1, step);
}

function dayLabel(day: string): string {
  const [, month, date] = day.split('-');
  return `${Number(date)}-${Number(month)}`;
}

/** Registrations per day, stacked per channel, over `days` (YYYY-MM-DD, oldest first). */
export function dailyChannelChart(counts: readonly DayChannelCount[], days: readonly string[]): string {
  const width = 760;
  const height = 260;
  const left = 48;
  const bottom = 36;
  const top = 16;
  const plotHeight = height - top - bottom;
  const slot = (width - left - 8) / Math.max(1, days.length);
  const barWidth = Math.max(4, slot * 0.6);
  const at = (day: string, channel: string): DayChannelCount | undefined => counts.find((c) => c.day === day && c.channel === channel);
  const totals = days.map((day) => CHANNELS.reduce((sum, channel) => sum + (at(day, channel)?.shown ?? 0), 0));
  const step = niceStep(Math.max(0, ...totals), 4);
  const scaleMax = step * Math.max(1, Math.ceil(Math.max(0, ...totals) / step));
  const y = (value: number): number => top + plotHeight - (value / scaleMax) * plotHeight;
  const parts: string[] = [hatch('hatch-days')];
  for (let tick = 0; tick <= scaleMax; tick += step) {
    parts.push(`<line x1="${left}" x2="${width - 8}" y1="${y(tick)}" y2="${y(tick)}" stroke="#dddddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="11" fill="#333333">${tick}</text>`);
  }
  days.forEach((day, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    let suppressed = false;
    for (const channel of CHANNELS) {
      const count = at(day, channel);
      if (!count) continue;
      suppressed ||= count.suppressed > 0;
      if (count.shown > 0) {
        const title = `${day} · ${CHANNEL_LABELS[channel] ?? channel}: ${count.shown}${count.suppressed > 0 ? ' gepubliceerd, plus onderdrukte aantallen' : ''}`;
        parts.push(`<rect x="${x}" y="${y(base + count.shown)}" width="${barWidth}" height="${y(base) - y(base + count.shown)}" fill="${CHANNEL_COLOURS[channel] ?? '#777777'}"><title>${escapeHtml(title)}</title></rect>`);
        base += count.shown;
      }
    }
    if (suppressed) {
      parts.push(`<rect class="suppressed" x="${x}" y="${y(base) - CAP}" width="${barWidth}" height="${CAP}" fill="url(#hatch-days)" stroke="#444444" stroke-width="0.5"><title>${escapeHtml(`${day}: onderdrukte aantallen; het werkelijke aantal is hoger dan de balk`)}</title></rect>`);
    }
    if (days.length <= 31 && (days.length <= 16 || i % 2 === 0)) {
      parts.push(`<text x="${x + barWidth / 2}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="#333333">${dayLabel(day)}</text>`);
    }
  });
  const legend = CHANNELS.map((channel, i) => `<rect x="${left + i * 110}" y="${height - 14}" width="10" height="10" fill="${CHANNEL_COLOURS[channel]}"/><text x="${left + i * 110 + 14}" y="${height - 5}" font-size="11" fill="#333333">${CHANNEL_LABELS[channel]}</text>`);
  legend.push(`<rect x="${left + 330}" y="${height - 14}" width="10" height="10" fill="url(#hatch-days)" stroke="#444444" stroke-width="0.5"/><text x="${left + 344}" y="${height - 5}" font-size="11" fill="#333333">onderdrukt (werkelijk aantal hoger)</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-days-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="chart" id="chart-days"><title id="chart-days-title">Registraties per dag per kanaal</title>${parts.join('')}${legend.join('')}</svg>`;
}

/** The most registered topics over all sites, horizontal bars, largest first. */
export function topTopicsChart(topics: readonly TopicCount[]): string {
  const width = 760;
  const rowHeight = 24;
  const left = 150;
  const right = 170;
  const height = Math.max(1, topics.length) * rowHeight + 12;
  const max = Math.max(1, ...topics.map((topic) => topic.shown));
  const scale = (value: number): number => (value / max) * (width - left - right);
  const parts: string[] = [hatch('hatch-topics')];
  if (topics.length === 0) parts.push(`<text x="8" y="20" font-size="12" fill="#333333">Nog geen registraties in deze periode.</text>`);
  topics.forEach((topic, i) => {
    const y = 6 + i * rowHeight;
    const barLength = scale(topic.shown);
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12" fill="#222222">${escapeHtml(topic.topic)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 3}" width="${Math.max(0, barLength)}" height="${rowHeight - 8}" fill="#2e7d4f"><title>${escapeHtml(`${topic.topic}: ${topic.shown}`)}</title></rect>`);
    let label = String(topic.shown);
    if (topic.suppressed > 0) {
      parts.push(`<rect class="suppressed" x="${left + barLength}" y="${y + 3}" width="${CAP * 2}" height="${rowHeight - 8}" fill="url(#hatch-topics)" stroke="#444444" stroke-width="0.5"><title>${escapeHtml(`${topic.topic}: ${topic.suppressed} keer onderdrukt; het werkelijke aantal is hoger`)}</title></rect>`);
      label += ` + onderdrukt (${topic.suppressed}×)`;
    }
    parts.push(`<text x="${left + barLength + (topic.suppressed > 0 ? CAP * 2 + 6 : 6)}" y="${y + 15}" font-size="12" fill="#222222">${escapeHtml(label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-topics-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="chart" id="chart-topics"><title id="chart-topics-title">Meest geregistreerde onderwerpen</title>${parts.join('')}</svg>`;
}
