#!/usr/bin/env node
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { exportStream } from '../adapters/export-stream.js';
import { parseImportFile } from '../adapters/import-parse.js';
import { verifyAudit } from '../app/audit-log.js';
import { bootstrapProvider } from '../app/bootstrap.js';
import { operatorResetPassword, operatorUnlock } from '../app/break-glass.js';
import { exportUsers } from '../app/export-users.js';
import { importUsers } from '../app/import-users.js';
import { applyRoles } from '../app/roles.js';
import { registerClusterCommand } from '../cluster/cluster-command.js';
import { createKontor, type Kontor, oneTimePassword, operatorDeps } from '../compose.js';
import { rotateOidcKeys } from '../compose-keys.js';
import { readRolesFile } from '../config/catalogue-files.js';
import { loadConfig } from '../config/load-config.js';
import { isAppError } from '../domain/errors.js';
import { purgeExpired } from '../storage/housekeeping.js';
import { importStore } from '../storage/import-store.js';
import { sha256 } from '../storage/sha256.js';
import { registerAppsCommand } from './apps-command.js';
import { printTree } from './print-tree.js';
import { progressBar } from './progress-bar.js';
import { registerSystemCommands } from './system-command.js';

// Set here and copied to process.exitCode at the very end: PGlite's runtime resets
// process.exitCode when it closes.
let failed = false;

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

async function withKontor<T>(fn: (k: Kontor) => Promise<T>): Promise<T> {
  const k = await createKontor(loadConfig());
  try {
    return await fn(k);
  } finally {
    await k.close();
  }
}

/** Creates the root provider and first administrator when the database has none. */
export async function ensureProvider(
  k: Kontor,
): Promise<{ slug: string; login: string; password: string } | undefined> {
  const password = oneTimePassword();
  const created = await bootstrapProvider(k.deps, {
    tenantName: k.config.providerName,
    slug: k.config.providerSlug,
    loginName: k.config.adminLogin,
    password,
  });
  return created && { slug: created.tenant.slug, login: created.user.loginName, password };
}

export function printCredentials(c: { slug: string; login: string; password: string }, url?: string): void {
  out('');
  out('  Kontor is set up. First administrator (shown once, change it at first sign-in):');
  if (url) out(`    URL:       ${url}`);
  out(`    tenant:    ${c.slug}`);
  out(`    username:  ${c.login}`);
  out(`    password:  ${c.password}`);
  out('');
}

export function buildCli(): Command {
  const program = new Command('kontor').description('Kontor identity and permission service');

  program
    .command('init')
    .description('create the provider tenant and first administrator (one-time password printed once)')
    .action(async () =>
      withKontor(async (k) => {
        const c = await ensureProvider(k);
        if (c) printCredentials(c);
        else out('Kontor is initialised already; nothing changed.');
      }),
    );

  program
    .command('serve')
    .description('start the server (migrates, and bootstraps an empty database)')
    .option('--demo', 'seed an MSP demo: a reseller with two customers, a carrier and a shared user')
    .action(async (opts: { demo?: boolean }) => {
      const { serve } = await import('./serve.js');
      await serve(opts, ensureProvider, printCredentials);
    });

  program
    .command('migrate')
    .description('run pending database migrations')
    .action(async () => withKontor(async () => out('Migrations are up to date.')));

  program
    .command('purge')
    .description('delete expired sessions, sign-in counters, used links and old idempotency answers')
    .action(async () =>
      withKontor(async (k) => {
        const counts = await purgeExpired(k.db.kysely, new Date(), {
          sessionIdleSeconds: k.config.sessionIdleSeconds,
          throttleWindowSeconds: k.config.login.windowSeconds,
        });
        out(
          Object.entries(counts)
            .map(([key, n]) => `${key}: ${n}`)
            .join(', '),
        );
      }),
    );

  program
    .command('keys')
    .description('the signing keys of Kontor as OpenID Provider')
    .command('rotate')
    .description('sign with new keys from now on; the old ones stay published until their tokens expired')
    .action(async () =>
      withKontor(async (k) => {
        const r = await rotateOidcKeys(k);
        out(`New signing keys: ${r.added.join(', ')}`);
        if (r.retired.length > 0) {
          out(`Retired (published until ${r.publishUntil.toISOString()}): ${r.retired.join(', ')}`);
        }
      }),
    );

  const users = program.command('users').description('user export and import; break-glass unlock and password reset');
  users
    .command('export')
    .description('export a tenant’s users as CSV or JSON (to stdout or --out FILE)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--password-hashes', 'include password hashes (audited)')
    .action(async (opts: { tenant: string; format: string; out?: string; passwordHashes?: boolean }) =>
      withKontor(async (k) => {
        if (opts.format !== 'csv' && opts.format !== 'json') throw new Error('--format is csv or json');
        const tenant = await k.deps.store.read((r) => r.tenants.findBySlug(opts.tenant));
        if (!tenant) throw new Error(`No tenant ${opts.tenant}`);
        const ex = await exportUsers({ ...k.deps, importStore: importStore(k.db.kysely) }, null, {
          tenantId: tenant.id,
          format: opts.format,
          passwordHashes: opts.passwordHashes === true,
        });
        const target = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
        await pipeline(exportStream(ex, opts.format), target, { end: Boolean(opts.out) });
      }),
    );

  users
    .command('import <file>')
    .description('import users from a CSV or JSON file (the export’s format); all rows or none')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--mode <mode>', 'create (refuse existing login names) or upsert', 'create')
    .option('--dry-run', 'report every row, write nothing')
    .action(async (file: string, opts: { tenant: string; mode: string; dryRun?: boolean }) =>
      withKontor(async (k) => {
        if (opts.mode !== 'create' && opts.mode !== 'upsert') throw new Error('--mode is create or upsert');
        const tenant = await k.deps.store.read((r) => r.tenants.findBySlug(opts.tenant));
        if (!tenant) throw new Error(`No tenant ${opts.tenant}`);
        const format = file.toLowerCase().endsWith('.json') ? 'json' : 'csv';
        const records = parseImportFile(readFileSync(file, 'utf8'), format);
        const bar = progressBar(process.stderr);
        const report = await importUsers({ ...k.deps, importStore: importStore(k.db.kysely) }, null, {
          tenantId: tenant.id,
          records,
          format,
          mode: opts.mode,
          dryRun: Boolean(opts.dryRun),
          onProgress: bar,
        });
        for (const e of report.errors) out(`line ${e.line}: ${e.field}: ${e.message} (${e.code})`);
        out(
          `${report.rows} row(s): ${report.dryRun ? `would create ${report.toCreate}, update ${report.toUpdate}` : `created ${report.created}, updated ${report.updated}`}` +
            (report.errors.length > 0 ? `; ${report.errors.length} error(s), nothing written` : ''),
        );
        if (report.errors.length > 0) failed = true;
      }),
    );

  // Break-glass (issue 14 #3): for when no administrator can sign in. Audited with no actor.
  users
    .command('unlock <tenant> <login>')
    .description('lift an administrator’s lock and the temporary sign-in lock (tenant = slug; audited)')
    .action(async (tenant: string, login: string) =>
      withKontor(async (k) => {
        const u = await operatorUnlock(operatorDeps(k), { tenantSlug: tenant, loginName: login });
        const lifted = [
          u.from === 'locked' ? 'the administrator’s lock' : '',
          u.temporaryLockUntil ? `the temporary lock (until ${u.temporaryLockUntil.toISOString()})` : '',
        ].filter(Boolean);
        out(
          lifted.length > 0
            ? `Unlocked ${login} in ${tenant}: lifted ${lifted.join(' and ')}; failed sign-ins cleared.`
            : `${login} in ${tenant} was not locked; failed sign-ins cleared.`,
        );
      }),
    );

  users
    .command('reset-password <tenant> <login>')
    .description('set a one-time password, printed once, to be changed at first sign-in (tenant = slug; audited)')
    .action(async (tenant: string, login: string) =>
      withKontor(async (k) => {
        const r = await operatorResetPassword(operatorDeps(k), { tenantSlug: tenant, loginName: login });
        out(`One-time password for ${login} in ${tenant} (shown once; must be changed at first sign-in):`);
        out(`  ${r.password}`);
        out('Every session and API token of the user has ended.');
        if (r.user.state !== 'active') {
          process.stderr.write(
            `kontor: ${login} is ${r.user.state}: ${r.user.state === 'locked' ? 'run `kontor users unlock` too' : 'an administrator enables it'}\n`,
          );
        }
      }),
    );

  const roles = program.command('roles').description('role definitions');
  roles
    .command('apply <file>')
    .description('apply a roles file (JSON or YAML)')
    .option('--dry-run', 'show the diff, change nothing')
    .action(async (file: string, opts: { dryRun?: boolean }) =>
      withKontor(async (k) => {
        const { diff, applied } = await applyRoles(k.deps, null, readRolesFile(file), { dryRun: Boolean(opts.dryRun) });
        for (const r of diff.added) out(`+ ${r.key} (${r.category}): ${r.permissions.join(', ')}`);
        for (const r of diff.removed) out(`- ${r.key}`);
        for (const c of diff.changed) {
          const before = new Set(c.before.permissions);
          const after = new Set(c.after.permissions);
          const plus = [...after].filter((p) => !before.has(p));
          const minus = [...before].filter((p) => !after.has(p));
          out(
            `~ ${c.after.key}${plus.length ? ` +[${plus.join(', ')}]` : ''}${minus.length ? ` -[${minus.join(', ')}]` : ''}`,
          );
        }
        if (!diff.added.length && !diff.removed.length && !diff.changed.length) out('No changes.');
        else out(applied ? 'Applied.' : 'Dry run: nothing changed.');
      }),
    );
  roles
    .command('list')
    .description('list role definitions')
    .action(async () =>
      withKontor(async (k) => {
        for (const r of await k.deps.store.read((x) => x.roles.list())) {
          out(`${r.key.padEnd(24)} ${r.category.padEnd(15)} ${r.permissions.join(', ')}`);
        }
      }),
    );

  program
    .command('tenants')
    .description('tenant tree')
    .command('tree')
    .description('print the whole tenant tree')
    .action(async () =>
      withKontor(async (k) => {
        const root = await k.deps.store.read((r) => r.tenants.findRoot());
        if (!root) return out('No provider yet: run `kontor init`.');
        out(printTree(await k.deps.store.read((r) => r.tenants.subtree(root.path))));
      }),
    );

  const audit = program.command('audit').description('activity log');
  audit
    .command('verify <tenant>')
    .description('verify the hash chain of a tenant (slug or id)')
    .action(async (tenant: string) =>
      withKontor(async (k) => {
        const t = await k.deps.store.read(
          async (r) =>
            (await r.tenants.findBySlug(tenant)) ??
            (/^[0-9a-f-]{36}$/i.test(tenant) ? await r.tenants.findById(tenant) : undefined),
        );
        const tenantId = t?.id ?? tenant;
        const report = await k.deps.store.read((r) => verifyAudit(r, tenantId, sha256));
        if (report.problems.length === 0) {
          out(`OK: ${report.events} event(s), chain intact.`);
          return;
        }
        for (const p of report.problems) out(`event ${p.seq}: ${p.problem.replace('_', ' ')}`);
        failed = true;
      }),
    );

  registerAppsCommand(program, withKontor);
  registerSystemCommands(program, audit, withKontor, () => {
    failed = true;
  });
  registerClusterCommand(program);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
    if (failed) process.exitCode = 1;
  } catch (e) {
    if (isAppError(e)) {
      process.stderr.write(`kontor: ${e.message} (${e.code})\n`);
      for (const fe of e.errors ?? []) process.stderr.write(`  ${fe.field}: ${fe.message}\n`);
    } else {
      process.stderr.write(`kontor: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('main.ts')) {
  await main(process.argv);
}
