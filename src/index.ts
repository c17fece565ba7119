/**
 * Kontor as a library, for apps that embed it instead of calling the HTTP API:
 *
 *   const kontor = await createKontor(loadConfig(process.env));
 *   const { allowed } = await kontor.decisions.decide(userId, tenantId, 'orders.read');
 *
 * `decide` answers from a per-process cache kept correct by the database's version counter;
 * `tryDecide` is its synchronous form for hot paths (undefined when it must read first).
 */
export { DecisionEngine, type DecisionEngineOptions, type DecisionQuery } from './app/decisions.js';
export { createKontor, type Kontor } from './compose.js';
export { createHttpApp } from './compose-http.js';
export { type Config, loadConfig } from './config/load-config.js';
export type { Decision, DenyReason } from './domain/decision.js';
export { type Permission, PermissionCatalogue } from './domain/permissions.js';
