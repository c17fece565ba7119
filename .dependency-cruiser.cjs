/** Import directions of STYLE.md: the domain core does no I/O; http never reaches storage. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing outside the domain: no node:*, no packages, no other layer',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: '^src/domain' },
    },
    {
      name: 'app-imports-domain-only',
      severity: 'error',
      from: { path: '^src/app' },
      to: { pathNot: '^src/(domain|app)' },
    },
    {
      name: 'http-not-storage',
      comment: 'http, scim, sso and the OpenID Provider (src/oidc) reach storage only through compose',
      severity: 'error',
      from: { path: '^src/(http|scim|sso|oidc)' },
      to: { path: '^src/storage' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$|test-fixtures\\.ts$' },
  },
};
