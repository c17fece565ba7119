import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { TotpEngine } from '../domain/mfa.js';

/**
 * RFC 6238 through `otpauth`: SHA-1, 6 digits, 30 s — what every authenticator app reads from a
 * QR code. A code is valid one step either side of now (clock drift); which step matched is
 * returned, so storage can refuse that step, and every earlier one, a second time.
 */
const PERIOD = 30;

const totpOf = (secret: string, label = 'kontor', issuer = 'Kontor') =>
  new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });

export const otpauthTotp: TotpEngine = {
  newSecret: () => new OTPAuth.Secret({ size: 20 }).base32,
  uri: (secret, account, issuer) => totpOf(secret, account, issuer).toString(),
  qrDataUrl: (uri) => QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2 }),
  match(secret, code, now) {
    if (!/^\d{6}$/.test(code)) return undefined;
    const delta = totpOf(secret).validate({ token: code, timestamp: now.getTime(), window: 1 });
    if (delta === null) return undefined;
    return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
  },
};

// 32 symbols without the look-alikes 0/o and 1/l: 5 bits each, no modulo bias.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 16 symbols of 5 bits: 80 bits, grouped by four. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}
