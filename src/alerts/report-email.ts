/** A report as an e-mail: the same numbers as HTML (inline styles: mail clients drop style sheets) and text. */
import type { Mail } from './email.channel.ts';
import type { ReportContent, TopRow } from './report-content.ts';

const KPIS = [
  ['visitors', 'Visitors'],
  ['visits', 'Visits'],
  ['pageviews', 'Pageviews'],
  ['bounce_rate', 'Bounce rate'],
  ['visit_duration', 'Visit duration'],
] as const;

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function formatValue(key: string, n: number): string {
  if (key === 'bounce_rate') return `${n}%`;
  if (key === 'visit_duration') return `${Math.floor(n / 60)}m ${String(n % 60).padStart(2, '0')}s`;
  return n.toLocaleString('en-US');
}

/** Rates change in points, counts in percent (as the overview API reports them). */
function formatChange(key: string, change: number | null | undefined): string {
  if (change === null || change === undefined) return 'new';
  const sign = change > 0 ? '+' : '';
  return key === 'bounce_rate' ? `${sign}${change} pt` : `${sign}${change}%`;
}

const day = (ms: number, tz: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric' }).format(
    ms,
  );

function spanOf(c: ReportContent): string {
  // The range ends at midnight starting the next period: the last day shown is the one before.
  return `${day(c.period.range.startMs, c.tz)} – ${day(c.period.range.endMs - 1, c.tz)}`;
}

function textTable(title: string, rows: TopRow[]): string {
  if (rows.length === 0) return `${title}\n  (none)\n`;
  const width = Math.min(60, Math.max(...rows.map((r) => r.value.length)));
  return `${title}\n${rows.map((r) => `  ${r.value.padEnd(width)}  ${String(r.visitors).padStart(7)} visitors`).join('\n')}\n`;
}

function htmlTable(title: string, rows: TopRow[]): string {
  const cell = 'padding:4px 8px;border-bottom:1px solid #eee';
  const body = rows.length
    ? rows
        .map(
          (r) =>
            `<tr><td style="${cell}">${esc(r.value)}</td><td style="${cell};text-align:right">${r.visitors}</td><td style="${cell};text-align:right">${r.pageviews}</td></tr>`,
        )
        .join('')
    : `<tr><td style="${cell}" colspan="3">(none)</td></tr>`;
  return `<h3 style="margin:24px 0 8px">${esc(title)}</h3><table style="border-collapse:collapse;width:100%"><tr><th style="text-align:left;${cell}"></th><th style="text-align:right;${cell}">Visitors</th><th style="text-align:right;${cell}">Pageviews</th></tr>${body}</table>`;
}

export function reportMail(c: ReportContent, to: string[], link: string): Mail {
  const span = spanOf(c);
  const kind = c.period.label.startsWith('week') ? 'Weekly' : 'Monthly';
  const numbers = c.numbers as unknown as Record<string, number>;
  const kpiText = KPIS.map(
    ([key, label]) =>
      `  ${label.padEnd(15)} ${formatValue(key, numbers[key]).padStart(10)}  (${formatChange(key, c.change[key])})`,
  ).join('\n');
  const text = `${kind} report for ${c.project}: ${span}\n\n${kpiText}\n\n${textTable('Top pages', c.topPages)}\n${textTable('Top sources', c.topSources)}\n${textTable('Top countries', c.topCountries)}\nChanges compare with the period before. Dashboard: ${link}\n`;
  const kpiHtml = KPIS.map(
    ([key, label]) =>
      `<td style="padding:8px 12px;vertical-align:top"><div style="color:#666;font-size:12px">${label}</div><div style="font-size:22px;font-weight:600" data-kpi="${key}">${esc(formatValue(key, numbers[key]))}</div><div style="color:#666;font-size:12px">${esc(formatChange(key, c.change[key]))}</div></td>`,
  ).join('');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#222;max-width:640px;margin:0 auto">
<h2 style="margin:16px 0 4px">${kind} report for ${esc(c.project)}</h2><div style="color:#666">${esc(span)}</div>
<table style="margin-top:16px"><tr>${kpiHtml}</tr></table>
${htmlTable('Top pages', c.topPages)}${htmlTable('Top sources', c.topSources)}${htmlTable('Top countries', c.topCountries)}
<p style="color:#666;font-size:12px;margin-top:24px">Changes compare with the period before. <a href="${esc(link)}">Open the dashboard</a></p>
</body></html>`;
  return { to, subject: `[Sightline] ${kind} report for ${c.project}: ${span}`, text, html };
}
