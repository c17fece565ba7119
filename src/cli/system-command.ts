import type { Command } from 'commander';
import { verifyAllAuditChains } from '../app/system-tasks.js';
import type { Kontor } from '../compose.js';
import { systemServices } from '../compose-system.js';
import { effectiveConfig } from '../config/effective-config.js';
import { loadConfig } from '../config/load-config.js';

const out = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

type WithKontor = <T>(fn: (k: Kontor) => Promise<T>) => Promise<T>;

/**
 * The operator's side of the system tasks (issue 19 #4): `kontor config show` and
 * `kontor audit verify-all`. `onBroken` marks the run failed (exit code 1).
 */
export function registerSystemCommands(
  program: Command,
  audit: Command,
  withKontor: WithKontor,
  onBroken: () => void,
): void {
  program
    .command('config')
    .description('effective configuration')
    .command('show')
    .description('print the effective configuration as JSON, secrets redacted')
    // Reads the environment only: works while the database is down, which is when it is wanted.
    .action(() => out(JSON.stringify(effectiveConfig(loadConfig()), null, 2)));

  audit
    .command('verify-all')
    .description('verify the hash chain of every tenant (tenant ids only); exit 1 if any is broken')
    .action(async () =>
      withKontor(async (k) => {
        const report = await verifyAllAuditChains({ ...k.deps, system: systemServices(k) }, null);
        for (const v of report.tenants) {
          out(`${v.tenantId}  ${v.status === 'ok' ? 'ok' : `broken at seq ${v.brokenAtSeq}`}  (${v.events} event(s))`);
        }
        out(`${report.tenants.length} tenant(s), ${report.broken} broken.`);
        if (report.broken > 0) onBroken();
      }),
    );
}
