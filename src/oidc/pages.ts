const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/**
 * A minimal server-rendered page for a person (a refusal, an OP error, logout): no script, no
 * inline style and nothing fetched from elsewhere, so the console's strict CSP holds.
 */
export function simplePage(title: string, paragraphs: string[], extra = ''): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
${extra}
<p><a href="/">Back to Kontor</a></p></main></body></html>`;
}
