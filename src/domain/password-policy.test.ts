import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { checkPassword, PASSWORD_MAX, PASSWORD_MIN } from './password-policy.js';

type Context = Parameters<typeof checkPassword>[1];

/** The policy's reason code (`password.*`), or 'ok' when the password is accepted. */
const verdict = (password: string, context?: Context): string => {
  try {
    checkPassword(password, context);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe('validation.password_policy');
    return err.errors?.[0]?.code ?? 'no field error';
  }
};

describe('password length (NIST SP 800-63B)', () => {
  it('sets the minimum at 15 and allows far more than 64 characters', () => {
    expect(PASSWORD_MIN).toBe(15);
    expect(PASSWORD_MAX).toBeGreaterThanOrEqual(64);
  });

  it('refuses a password of 14 characters', () => {
    expect(verdict('tulpe garten k')).toBe('password.too_short');
  });

  it('accepts a password of exactly 15 characters', () => {
    expect([...'tulpe garten kx'].length).toBe(15);
    expect(verdict('tulpe garten kx')).toBe('ok');
  });

  it('accepts a passphrase of 64 characters and one of 200', () => {
    const p64 = 'the quick brown fox jumps over a lazy dog near the river bank!!!';
    expect(p64.length).toBe(64);
    expect(verdict(p64)).toBe('ok');
    const p200 = 'mondlicht über der heide, '.repeat(8).slice(0, 200);
    expect(verdict(p200)).toBe('ok');
  });

  it('refuses a password above the maximum length', () => {
    const words = 'amsel drossel fink star meise ';
    const long = words.repeat(Math.ceil((PASSWORD_MAX + 1) / words.length)).slice(0, PASSWORD_MAX + 1);
    expect(verdict(long)).toBe('password.too_long');
  });
});

describe('unicode passwords', () => {
  it('accepts 15 characters with umlauts and ß', () => {
    const pw = 'Grüße aus Köln!';
    expect([...pw].length).toBe(15);
    expect(verdict(pw)).toBe('ok');
  });

  it('accepts a password of emoji', () => {
    const pw = '🌲🦊🍄🌙⛰️🐝🎻🧭🪁🐙🍋🎲🦉🌵🚲';
    expect(verdict(pw)).toBe('ok');
  });

  it('accepts a mixed-script passphrase', () => {
    expect(verdict('Ξένη γλώσσα 日本語 кириллица')).toBe('ok');
  });

  it('counts length after NFKC normalisation, so decomposed umlauts do not pad a short password', () => {
    const composed = 'Grüße aus Köln'; // 14 code points
    const decomposed = composed.normalize('NFD'); // 16 code points
    expect([...decomposed].length).toBeGreaterThanOrEqual(PASSWORD_MIN);
    expect(verdict(decomposed)).toBe('password.too_short');
  });

  it('returns the normalised password so both spellings of an umlaut hash the same', () => {
    const pw = 'Grüße aus Köln!';
    expect(checkPassword(pw.normalize('NFD'))).toBe(checkPassword(pw.normalize('NFC')));
  });
});

describe('no composition rules', () => {
  it.each([
    ['only lower-case letters', 'correcthorsebattery'],
    ['only spaces and lower-case words', 'glas tisch regen'],
    ['only digits without a pattern', '3141592653589793'],
    ['no digit and no symbol', 'Wolkenkratzerfenster'],
  ])('accepts a password of %s', (_what, pw) => {
    expect(verdict(pw)).toBe('ok');
  });
});

describe('blocked passwords', () => {
  it.each([
    'password1234567',
    'passwordpassword',
    'PasswordPassword',
    'Password123456789!',
    'P A S S W O R D 2024',
    'iloveyouiloveyou',
    'qwertyuiop12345',
    '123456789012345',
    'Willkommen2024!!!',
    'kontorkontorkontor',
  ])('refuses the common password %j', (pw) => {
    expect(verdict(pw)).toBe('password.common');
  });

  it.each(['aaaaaaaaaaaaaaaaaa', 'abababababababab', 'abcdefghijklmnopq', '12345678901234567'])(
    'refuses the repetitive or sequential password %j',
    (pw) => {
      expect(['password.repetitive', 'password.common']).toContain(verdict(pw));
    },
  );

  it('accepts a password that merely contains a common word among others', () => {
    expect(verdict('my password is a purple giraffe')).toBe('ok');
  });
});

describe('passwords made of the tenant or login name', () => {
  const ctx = { tenantName: 'Müller Bau GmbH', tenantSlug: 'muellerbau', loginName: 'sabine.k' };

  it.each([
    'Müller Bau GmbH 2024!',
    'müllerbaugmbh!!!!',
    'MÜLLER BAU GMBH 1234',
    'muellerbau2024!!!',
    'MuellerbauMuellerbau',
  ])('refuses the tenant name variant %j', (pw) => {
    expect(verdict(pw, ctx)).toBe('password.context');
  });

  it('refuses a password made of a login name without punctuation', () => {
    expect(verdict('SabineKraus1985!!', { loginName: 'sabinekraus' })).toBe('password.context');
  });

  it('accepts a password that contains the tenant name among other words', () => {
    expect(verdict('Müller Bau baut das schönste Haus', ctx)).toBe('ok');
  });

  it('ignores context words shorter than three characters', () => {
    expect(verdict('ababbaabbabaabab', { tenantSlug: 'ab' })).not.toBe('password.context');
  });

  // BUG (src/domain/password-policy.ts, context loop of checkPassword): the password is compacted
  // (digits, whitespace and punctuation removed) but the context word only loses whitespace, so a
  // slug with a hyphen, a name with digits or a login name with '.', '@' or '-' never matches, not
  // even as the whole password. Expected password.context, actual: accepted.
  it('refuses a password made of a hyphenated tenant slug', () => {
    expect(verdict('acme-corp2024!!!!!', { tenantSlug: 'acme-corp' })).toBe('password.context');
  });

  it('refuses a password made of a tenant name containing digits', () => {
    expect(verdict('Shop24Shop24Shop24', { tenantName: 'Shop24' })).toBe('password.context');
  });

  it('refuses the login name itself when it contains a dot or an @', () => {
    const login = 'msp-admin@dienstleister.tld';
    expect(verdict(login, { loginName: login })).toBe('password.context');
  });
});

describe('normalisation (issue 20 #5)', () => {
  it('counts length as typed, before NFKC expands a code point', () => {
    expect('\ufdfa'.normalize('NFKC').length).toBeGreaterThanOrEqual(PASSWORD_MIN);
    expect(verdict('\ufdfa')).toBe('password.too_short');
  });
});
