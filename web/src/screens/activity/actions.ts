/**
 * Every action the server writes to the activity log, for the Action filter (which matches
 * exactly). test/e2e/console-actions.test.ts checks this against the actions in src/, so a new
 * event shows up here or fails that test.
 */
export const ACTION_GROUPS: readonly { group: string; items: readonly string[] }[] = [
  {
    group: 'Sign-in and sessions',
    items: [
      'auth.login_succeeded',
      'auth.login_failed',
      'auth.logout',
      'auth.acting_tenant_switched',
      'auth.sso_refused',
      'auth.sso_switched_away',
      'auth.token_created',
      'auth.token_revoked',
      'account.password_check_failed',
      'access.denied',
      'auth.second_factor_requested',
      'auth.second_factor_failed',
    ],
  },
  {
    group: 'Second factors',
    items: [
      'mfa.enrolment_started',
      'mfa.factor_added',
      'mfa.factor_removed',
      'mfa.recovery_codes_regenerated',
      'user.factors_reset',
    ],
  },
  {
    group: 'Users',
    items: [
      'user.created',
      'user.updated',
      'user.deleted',
      'user.login_renamed',
      'user.roles_changed',
      'user.state.active',
      'user.state.locked',
      'user.state.disabled',
      'user.temporarily_locked',
      'user.unlocked',
      'user.password_reset_issued',
      'user.password_changed',
      'user.password_set',
      'user.sessions_revoked',
      'api_token.revoked',
      'user.email_verification_requested',
      'user.email_verified',
      'user.email_attested',
      'users.imported',
      'users.exported',
      'users.exported_with_password_hashes',
      'scim.external_id_set',
    ],
  },
  {
    group: 'Sharing',
    items: ['share.offered', 'share.accepted', 'share.reaccepted', 'share.roles_changed_at_home', 'share.ended'],
  },
  {
    group: 'Tenants',
    items: [
      'tenant.created',
      'tenant.child_created',
      'tenant.signed_up',
      'tenant.activated',
      'tenant.updated',
      'tenant.security_policy_changed',
      'tenant.suspended',
      'tenant.resumed',
      'tenant.moved',
      'tenant.deleted',
      'company.created',
      'company.renamed',
      'company.members_changed',
      'company.deleted',
      'field.created',
      'field.deleted',
    ],
  },
  {
    group: 'Single sign-on',
    items: [
      'sso.connection.created',
      'sso.connection.updated',
      'sso.connection.enabled',
      'sso.connection.disabled',
      'sso.connection.deleted',
      'sso.enablement.voided',
      'sso.link.created',
      'sso.link.deleted',
    ],
  },
  {
    group: 'Apps',
    items: ['app.created', 'app.updated', 'app.secret_rotated', 'app.deleted', 'oidc.key_rotated'],
  },
  {
    group: 'Webhooks',
    items: [
      'webhook.created',
      'webhook.updated',
      'webhook.secret_rotated',
      'webhook.deleted',
      'webhook.redelivered',
      'webhook.test',
      'webhook.failing',
    ],
  },
  {
    group: 'Operator',
    items: ['system.bootstrapped', 'system.roles_applied', 'system.purge_run', 'system.audit_verified'],
  },
  {
    // Work done by this tenant's staff in another tenant: the event itself is in that tenant's log.
    group: 'Elsewhere',
    items: ['reference'],
  },
];

export const ACTIONS: readonly string[] = ACTION_GROUPS.flatMap((g) => g.items);
