import type { Api, RouteDeps } from '../types.js';
import { appRoutes } from './apps.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { catalogueRoutes } from './catalogue.js';
import { companyRoutes } from './companies.js';
import { decisionRoutes } from './decisions.js';
import { emailVerificationRoutes } from './email-verification.js';
import { eventRoutes } from './events.js';
import { meRoutes } from './me.js';
import { mfaRoutes } from './mfa.js';
import { passkeyRoutes } from './passkeys.js';
import { securityPolicyRoutes } from './security-policy.js';
import { shareRoutes } from './shares.js';
import { ssoRoutes } from './sso.js';
import { systemRoutes } from './system.js';
import { tenantRoutes } from './tenants.js';
import { userCredentialRoutes } from './user-credentials.js';
import { userRoutes } from './users.js';
import { userExportRoutes } from './users-export.js';
import { userImportRoutes } from './users-import.js';
import { webhookRoutes } from './webhooks.js';

/** Every /api/v1 route, one file per feature. */
export function registerRoutes(app: Api, r: RouteDeps): void {
  authRoutes(app, r);
  meRoutes(app, r);
  mfaRoutes(app, r);
  passkeyRoutes(app, r);
  tenantRoutes(app, r);
  securityPolicyRoutes(app, r);
  userRoutes(app, r);
  userCredentialRoutes(app, r);
  emailVerificationRoutes(app, r);
  userExportRoutes(app, r);
  userImportRoutes(app, r);
  shareRoutes(app, r);
  ssoRoutes(app, r);
  catalogueRoutes(app, r);
  auditRoutes(app, r);
  companyRoutes(app, r);
  decisionRoutes(app, r);
  appRoutes(app, r);
  systemRoutes(app, r);
  webhookRoutes(app, r);
  eventRoutes(app, r);
}
