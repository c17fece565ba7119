// oidc-provider 9 ships no types. Kontor uses a small surface of it: the provider, its models
// and the Koa context it hands to configuration callbacks; everything else stays untyped.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** A stored record as oidc-provider hands it to an adapter. */
  export type AdapterPayload = Record<string, unknown>;

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  /** The Koa context with oidc-provider's request state (`ctx.oidc`). */
  export interface OidcContext {
    req: IncomingMessage;
    res: ServerResponse;
    // biome-ignore lint/suspicious/noExplicitAny: oidc-provider's request state is untyped
    oidc: any;
    // biome-ignore lint/suspicious/noExplicitAny: Koa's context is untyped here
    [key: string]: any;
  }

  export const errors: {
    // biome-ignore lint/suspicious/noExplicitAny: error classes by name
    [name: string]: any;
  };

  // biome-ignore lint/suspicious/noExplicitAny: the interaction policy helpers
  export const interactionPolicy: any;

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    // biome-ignore lint/suspicious/noExplicitAny: listeners of provider events
    on(event: string, listener: (...args: any[]) => void): this;
    // biome-ignore lint/suspicious/noExplicitAny: the models and helpers are untyped
    [key: string]: any;
  }
}
