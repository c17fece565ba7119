import type { Config } from './load-config.js';

export const REDACTED = '[redacted]';

// Fields whose value is a secret whatever it looks like. Matched by name, so a secret field added
// to Config later is hidden without anyone remembering this file.
const SECRET_NAME = /secret|password|passphrase|token|privatekey|(^|[a-z])key$/i;

/** A URL's credentials cut out (postgres://user:pw@host → postgres://user:[redacted]@host). */
function withoutCredentials(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!url.password && !url.username) return value;
  // Built by hand: URL would percent-encode the brackets of the marker.
  const auth = url.password ? `${url.username}:${REDACTED}@` : `${url.username}@`;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, `$1${auth}`);
}

function redact(name: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (SECRET_NAME.test(name)) return REDACTED;
  if (Buffer.isBuffer(value)) return REDACTED;
  if (typeof value === 'string') return withoutCredentials(value);
  if (Array.isArray(value)) return value.map((v) => redact('', v));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(k, v)]));
  }
  return value;
}

/**
 * The effective configuration for operators (GET /api/v1/system/config, `kontor config show`):
 * every value as loaded, secrets replaced by `[redacted]` (set) or null (unset), passwords cut
 * out of URLs. Secrets are recognised by field name, Buffers and URL credentials.
 */
export function effectiveConfig(config: Config): Readonly<Record<string, unknown>> {
  return Object.freeze(redact('', config) as Record<string, unknown>);
}
