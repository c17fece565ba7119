import { afterAll, describe, expect, it } from 'vitest';
import { onPostgres } from '../../fixtures/kontor.js';

// The package's own name resolves through package.json `exports` to the library entry, as it
// does for an app that embeds Kontor (under tsx or a TypeScript-aware bundler).
describe.skipIf(onPostgres())('the library entry point', () => {
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => close?.());

  it('opens Kontor by its package name and answers decisions, false for unknown ids', async () => {
    const lib = await import('kontor');
    const kontor = await lib.createKontor({
      ...lib.loadConfig({ KONTOR_DATA_DIR: 'memory://' }),
      dataDir: 'memory://',
    });
    close = () => kontor.close();
    expect(kontor.decisions).toBeInstanceOf(lib.DecisionEngine);
    const d = await kontor.decisions.decide('00000000-0000-4000-8000-000000000000', 'nowhere', 'orders.read');
    expect(d.allowed).toBe(false);
  });
});
