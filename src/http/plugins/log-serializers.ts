import type { FastifyRequest } from 'fastify';

/**
 * Query strings carry secrets and personal data: the SSO callback's `code` and `state`, SCIM
 * `filter=userName eq "ann@example.com"`, search terms. The log keeps the path and the parameter
 * names (useful to tell requests apart), never a value.
 */
export function redactQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      // Names are client text too: keep only a short, harmless spelling of them.
      return `${name.replace(/[^A-Za-z0-9_.[\]-]/g, '').slice(0, 40)}=_`;
    });
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** Fastify's default request serializer, with the query values left out. */
export const logSerializers = {
  req(req: FastifyRequest) {
    return {
      method: req.method,
      url: redactQuery(req.url),
      route: req.routeOptions?.url,
      hostname: req.hostname,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
};
