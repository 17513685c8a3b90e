import { paint } from './log-format.js';
import type { Part } from './part.js';

/** What the person who ran `npm start` needs once everything is up: where each part is, then the notes. */
export function renderBanner(parts: readonly Part[], notes: readonly string[], color: boolean): string {
  const rule = paint('─'.repeat(78), '90', color);
  const lines = [rule, paint(`Ready: ${parts.map((p) => p.name).join(', ')}.`, '1;32', color), ''];
  for (const part of parts) {
    lines.push(`  ${paint(part.name, '1', color)}`);
    const urls = Object.entries(part.urls ?? (part.readyUrl ? { ready: part.readyUrl } : {}));
    if (urls.length === 0) continue;
    const width = Math.max(...urls.map(([label]) => label.length));
    for (const [label, url] of urls) lines.push(`    ${label.padEnd(width)}  ${url}`);
  }
  if (notes.length > 0) lines.push('', ...notes);
  lines.push('', paint('Press Ctrl-C to stop.', '1', color), rule);
  return lines.join('\n');
}
