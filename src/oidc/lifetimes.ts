/** Lifetimes of what the OP signs (apart from oidc-provider: the CLI needs them without it). */
export const ID_TOKEN_SECONDS = 3600;
export const CLOCK_TOLERANCE_SECONDS = 15;

/** The longest a token signed with a key stays valid: how long a retired key stays published. */
export const signingOverlapSeconds = (accessTokenSeconds: number): number =>
  Math.max(accessTokenSeconds, ID_TOKEN_SECONDS) + CLOCK_TOLERANCE_SECONDS;
