import { AppError } from './errors.js';
import { PASSWORD_MIN } from './password-length.js';
import type { PasswordHasher } from './ports.js';

/**
 * NIST SP 800-63B-4 for passwords as the only factor: at least 15 characters, at least 64
 * allowed, any Unicode, no composition rules, a blocklist. Lengths count the characters as typed
 * (code points after NFC: one code point such as U+FDFA expands to 18 under NFKC and must not
 * pass as 15 characters, a decomposed "é" is still one);
 * every hash and every verify sees the NFKC form (`normalisingHasher`), so "é" typed two ways
 * or a full-width password is the same password at sign-up, change and sign-in.
 */
export { PASSWORD_MIN } from './password-length.js';
export const PASSWORD_MAX = 256;

// A short list of the most common long passwords and patterns; the check is case-insensitive
// and also refuses passwords that merely repeat a blocked word.
const COMMON = [
  'password',
  'passwort',
  'qwertz',
  'qwerty',
  'letmein',
  'welcome',
  'willkommen',
  'admin',
  'administrator',
  'iloveyou',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'sunshine',
  'princess',
  'abc123',
  'changeme',
  'trustno1',
  'master',
  'shadow',
  'superman',
  'starwars',
  '123456789012345',
  '1234567890123456',
  'qwertyuiopasdfg',
  '111111111111111',
  'aaaaaaaaaaaaaaa',
  'passwordpassword',
  'password1234567',
  'qwertyuiop12345',
  'iloveyouiloveyou',
  'kontor',
];

const normalise = (s: string): string => s.normalize('NFKC');

function isRepetitive(pw: string): boolean {
  const chars = [...pw];
  if (new Set(chars).size <= 3) return true;
  // sequences like 0123456789... or abcdef...
  let seq = 0;
  for (let i = 1; i < chars.length; i++) {
    if ((chars[i]?.codePointAt(0) ?? 0) - (chars[i - 1]?.codePointAt(0) ?? 0) === 1) seq++;
  }
  return seq >= chars.length - 2;
}

/** Throws `validation.password_policy` with the reason; returns the normalised password. */
export function checkPassword(
  password: string,
  context: {
    tenantName?: string;
    tenantSlug?: string;
    loginName?: string;
    /** The tenant's effective security policy minimum (issue 16); never below PASSWORD_MIN. */
    minLength?: number;
  } = {},
): string {
  const min = Math.max(PASSWORD_MIN, context.minLength ?? 0);
  const pw = normalise(password);
  // Canonical composition only (NFC): decomposed umlauts do not pad, compatibility expansions
  // (U+FDFA is 18 code points under NFKC) do not either.
  const length = [...password.normalize('NFC')].length;
  const fail = (code: string, message: string): never => {
    throw new AppError('validation.password_policy', message, {
      errors: [{ field: 'password', code, message }],
    });
  };
  if (length < min) fail('password.too_short', `At least ${min} characters`);
  if (length > PASSWORD_MAX) fail('password.too_long', `At most ${PASSWORD_MAX} characters`);
  const lower = pw.toLocaleLowerCase('en');
  // Digits, blanks and punctuation are stripped from both sides of a comparison, so
  // "acme-corp2024!" still counts as the name "acme-corp".
  const strip = (v: string) => v.toLocaleLowerCase('en').replace(/[\s\d!@#$%^&*()_+\-=.,;:'"?/\\|<>[\]{}~`]/g, '');
  const compact = strip(pw);
  if (COMMON.some((w) => lower === w || (compact.length > 0 && compact.replaceAll(w, '') === ''))) {
    fail('password.common', 'This password is too common');
  }
  if (isRepetitive(pw)) fail('password.repetitive', 'This password is too repetitive');
  for (const word of [context.tenantName, context.tenantSlug, context.loginName]) {
    const w = word ? strip(word) : '';
    const parts = word
      ? word
          .toLocaleLowerCase('en')
          .split(/[^\p{L}]+/u)
          .filter((x) => x.length >= 3)
      : [];
    const onlyName = (name: string) => name.length >= 3 && compact.replaceAll(name, '') === '';
    if (onlyName(w) || (parts.length > 0 && compact.replace(new RegExp(parts.join('|'), 'g'), '') === '')) {
      fail('password.context', 'The password must not be the tenant or login name');
    }
  }
  return pw;
}

/**
 * The one place where passwords are normalised: every hash and every verify goes through NFKC.
 * A stored hash made from the raw input (an import from another system) still verifies: the
 * raw form is tried second, and only when it differs from the normalised one.
 */
export function normalisingHasher(inner: PasswordHasher): PasswordHasher {
  return {
    hash: (password) => inner.hash(normalise(password)),
    async verify(hash, password) {
      const pw = normalise(password);
      if (await inner.verify(hash, pw)) return true;
      return pw !== password && inner.verify(hash, password);
    },
    dummyHash: () => inner.dummyHash(),
  };
}
