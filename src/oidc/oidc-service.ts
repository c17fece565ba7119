import type { JWK, JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import { type AccessTokenVerifier, accessTokenVerifier, unknownKey } from './access-tokens.js';
import { createOidcProvider, type OidcProviderOptions } from './provider.js';

export interface OidcServiceOptions extends Omit<OidcProviderOptions, 'jwks'> {
  /** The published signing keys, opened, and a fingerprint that changes with the set. */
  loadKeys(): Promise<{ jwks: { keys: JWK[] }; fingerprint: string }>;
  fingerprint(): Promise<string>;
  /** How often to look for a rotated key set (default 10 s); 0: never (tests call `reloadKeys`). */
  keyCheckMs?: number;
  onError(message: string, e: unknown): void;
}

/**
 * The running OP. oidc-provider takes its keys at construction, so when `kontor keys rotate`
 * (another process) or a retired key's overlap changes the published set, the provider is built
 * anew: it holds no state of its own (everything is in the database), so nothing is lost, and
 * every instance publishes and signs with the same keys within one check interval.
 */
export class OidcService {
  private current: {
    provider: Provider;
    handle: ReturnType<Provider['callback']>;
    fingerprint: string;
    verify: AccessTokenVerifier;
  };
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly opts: OidcServiceOptions,
    first: { jwks: { keys: JWK[] }; fingerprint: string },
  ) {
    this.current = this.build(first);
  }

  static async start(opts: OidcServiceOptions): Promise<OidcService> {
    const s = new OidcService(opts, await opts.loadKeys());
    const every = opts.keyCheckMs ?? 10_000;
    if (every > 0) {
      s.timer = setInterval(() => {
        s.reloadKeys().catch((e) => opts.onError('could not reload the OP signing keys', e));
      }, every);
      s.timer.unref();
    }
    return s;
  }

  get issuer(): string {
    return this.opts.issuer;
  }

  get provider(): Provider {
    return this.current.provider;
  }

  /** The Node request handler of the current provider. */
  get handle(): ReturnType<Provider['callback']> {
    return this.current.handle;
  }

  /** Rebuilds the provider when the published key set changed; true when it did. */
  async reloadKeys(): Promise<boolean> {
    if ((await this.opts.fingerprint()) === this.current.fingerprint) return false;
    this.current = this.build(await this.opts.loadKeys());
    return true;
  }

  /**
   * The claims of an access token this OP signed (see accessTokenVerifier); throws when it is
   * not one. A key this instance does not know yet (rotated by another instance within the
   * check interval) makes it look at the published set once before refusing.
   */
  async verifyAccessToken(jwt: string, now: Date): Promise<JWTPayload> {
    try {
      return await this.current.verify(jwt, now);
    } catch (e) {
      if (unknownKey(e) && (await this.reloadKeys())) return this.current.verify(jwt, now);
      throw e;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private build(keys: { jwks: { keys: JWK[] }; fingerprint: string }) {
    const provider = createOidcProvider({ ...this.opts, jwks: keys.jwks });
    provider.on('server_error', (_ctx: unknown, e: unknown) => this.opts.onError('OP server error', e));
    return {
      provider,
      handle: provider.callback(),
      fingerprint: keys.fingerprint,
      verify: accessTokenVerifier(this.opts.issuer, keys.jwks.keys),
    };
  }
}
