/**
 * The shop's settings, read once from the environment and frozen (the only reader of `env`).
 *
 * @typedef {object} ShopConfig
 * @property {string} issuer        Kontor's issuer, e.g. http://127.0.0.1:3000/oidc
 * @property {string} kontorUrl     Kontor's API origin (for POST /api/v1/check)
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {string} machineClientId      client-credentials client (defaults to the shop's own)
 * @property {string} machineClientSecret
 * @property {number} port          0 picks a free port
 * @property {string} host
 * @property {string | undefined} publicUrl  where browsers reach the shop; default http://host:port
 */

/**
 * @param {Record<string, string | undefined>} env
 * @returns {Readonly<ShopConfig>}
 */
export function loadConfig(env) {
  const issuer = (env.KONTOR_ISSUER ?? 'http://127.0.0.1:3000/oidc').replace(/\/+$/, '');
  const clientId = env.SHOP_CLIENT_ID ?? '';
  const clientSecret = env.SHOP_CLIENT_SECRET ?? '';
  if (!clientId || !clientSecret) {
    throw new Error(
      'Set SHOP_CLIENT_ID and SHOP_CLIENT_SECRET (register the shop first: see docs/connect-your-app.md)',
    );
  }
  const port = Number(env.SHOP_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('SHOP_PORT must be a port number');
  return Object.freeze({
    issuer,
    // Kontor serves its OP under /oidc on the same origin as its API.
    kontorUrl: (env.KONTOR_URL ?? issuer.replace(/\/oidc$/, '')).replace(/\/+$/, ''),
    clientId,
    clientSecret,
    machineClientId: env.SHOP_MACHINE_CLIENT_ID ?? clientId,
    machineClientSecret: env.SHOP_MACHINE_CLIENT_SECRET ?? (env.SHOP_MACHINE_CLIENT_ID ? '' : clientSecret),
    port,
    host: env.SHOP_HOST ?? '127.0.0.1',
    publicUrl: env.SHOP_PUBLIC_URL?.replace(/\/+$/, ''),
  });
}
