import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAIM_MAPPING, emailLinkDecision, type IdClaims, subjectOf } from './sso.js';

const claims = (c: Record<string, unknown>): IdClaims => ({ iss: 'https://idp.example', sub: 's1', ...c });
const local = { email: 'ann@corp.example', verifiedEmail: 'ann@corp.example' };
const decide = (c: Record<string, unknown>, l: typeof local | undefined = local, domains = ['corp.example']) =>
  emailLinkDecision(claims(c), DEFAULT_CLAIM_MAPPING, domains, l);

describe('linking by email', () => {
  it('never links through an address read from another claim than the standard email', () => {
    const m = { ...DEFAULT_CLAIM_MAPPING, email: 'upn' };
    const d = emailLinkDecision(claims({ upn: 'ann@corp.example', email_verified: true }), m, ['corp.example'], local);
    expect(d).toMatchObject({ link: false, reason: 'email_mapping_not_standard' });
  });
  it('links a verified address of a vouched domain to a user whose address is verified', () => {
    expect(decide({ email: 'Ann@Corp.example', email_verified: true })).toEqual({
      link: true,
      email: 'Ann@Corp.example',
    });
  });
  it('refuses an email without email_verified, or with the string "true"', () => {
    expect(decide({ email: 'ann@corp.example' })).toMatchObject({ link: false, reason: 'email_not_verified' });
    expect(decide({ email: 'ann@corp.example', email_verified: 'true' })).toMatchObject({ link: false });
  });
  it('refuses a domain the connection does not vouch for', () => {
    expect(decide({ email: 'ann@corp.example', email_verified: true }, local, ['other.example'])).toMatchObject({
      reason: 'domain_not_vouched',
    });
  });
  it('refuses when the local address is not verified or differs', () => {
    expect(
      decide({ email: 'ann@corp.example', email_verified: true }, { ...local, verifiedEmail: 'old@corp.example' }),
    ).toMatchObject({
      reason: 'local_email_not_verified',
    });
  });
});

describe('subject under a claim mapping', () => {
  it('joins Entra tenant id and object id, and refuses when one is missing', () => {
    const m = { ...DEFAULT_CLAIM_MAPPING, subject: ['tid', 'oid'] };
    expect(subjectOf(claims({ tid: 't', oid: 'o' }), m)).toBe('t:o');
    expect(subjectOf(claims({ tid: 't' }), m)).toBeUndefined();
  });
});
