import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { WebAuthnEngine } from '../domain/mfa.js';

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64url');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
type Transport = NonNullable<RegistrationResponseJSON['response']['transports']>[number];

/**
 * WebAuthn through `@simplewebauthn/server` 13 (14 needs Node 22). User verification is required
 * (a passkey may sign in alone, so it must be two factors in one: possession and PIN or
 * biometrics); attestation `none` — Kontor trusts the key, not a vendor's certificate. The
 * library checks origin, RP ID, challenge, flags and the signature; a signature counter that
 * does not grow is refused there, and again in storage (see MfaRepo.usePasskey).
 */
export const simpleWebAuthn: WebAuthnEngine = {
  async registrationOptions(o) {
    return generateRegistrationOptions({
      rpName: o.rpName,
      rpID: o.rpId,
      userName: o.userName,
      userID: new TextEncoder().encode(o.userId),
      attestationType: 'none',
      excludeCredentials: o.excludeCredentialIds.map((id) => ({ id })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
  },
  async verifyRegistration(o) {
    const v = await verifyRegistrationResponse({
      response: o.response as RegistrationResponseJSON,
      expectedChallenge: o.challenge,
      expectedOrigin: o.origin,
      expectedRPID: o.rpId,
      requireUserVerification: true,
    }).catch(() => undefined);
    if (!v?.verified) return undefined;
    const c = v.registrationInfo.credential;
    return { credentialId: c.id, publicKey: b64(c.publicKey), counter: c.counter, transports: c.transports ?? [] };
  },
  async authenticationOptions(o) {
    return generateAuthenticationOptions({
      rpID: o.rpId,
      userVerification: 'required',
      allowCredentials: o.allowCredentialIds.map((id) => ({ id })),
    });
  },
  async verifyAuthentication(o) {
    const v = await verifyAuthenticationResponse({
      response: o.response as AuthenticationResponseJSON,
      expectedChallenge: o.challenge,
      expectedOrigin: o.origin,
      expectedRPID: o.rpId,
      requireUserVerification: true,
      credential: {
        id: o.credential.id,
        publicKey: unb64(o.credential.publicKey),
        counter: o.credential.counter,
        transports: o.credential.transports as Transport[],
      },
    }).catch(() => undefined);
    return v?.verified ? { newCounter: v.authenticationInfo.newCounter } : undefined;
  },
  credentialIdOf(response) {
    const id = (response as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 1400 ? id : undefined;
  },
};
