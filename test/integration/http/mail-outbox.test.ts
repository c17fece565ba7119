import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpMailSender } from '../../../src/adapters/smtp-mail.js';
import { MailWorker, queueMail } from '../../../src/app/mail-outbox.js';
import { authStore } from '../../../src/storage/auth-store.js';
import { onPostgres, type TestKontor, testKontor } from '../../fixtures/kontor.js';

/** A real SMTP server in this process (loopback, port 0): what it accepted is what was delivered. */
async function smtpSink() {
  const delivered: { to: string[]; body: string }[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onRcptTo(_address, _session, cb) {
      if (state.refuse) {
        const e = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
        cb(e);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        delivered.push({ to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString() });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    delivered,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let k: TestKontor;
let sink: Awaited<ReturnType<typeof smtpSink>>;
let t = Date.parse('2026-12-07T06:00:00Z');
const clock = { now: () => new Date(t) };
const mail = (to: string) => ({
  to,
  subject: 'Hello',
  text: 'Set your password: https://x/#token=abc',
  link: 'https://x',
});

beforeAll(async () => {
  k = await testKontor();
  sink = await smtpSink();
});
afterAll(async () => {
  await sink.close();
  await k.close();
});

describe('mail outbox over SMTP', () => {
  it('delivers a committed mail through SMTP; an aborted transaction sends nothing', async () => {
    const store = authStore(k.db.kysely);
    const sender = smtpMailSender(sink.url, 'kontor@example.com');
    const worker = new MailWorker({ store, sender, clock });
    await store.transaction((r) => queueMail(r, clock.now(), mail('kept@example.com')));
    await expect(
      store.transaction(async (r) => {
        await queueMail(r, clock.now(), mail('aborted@example.com'));
        throw new Error('the change fails after queueing');
      }),
    ).rejects.toThrow('the change fails');
    const before = sink.delivered.length;
    expect(await worker.tick()).toBe(1);
    const got = sink.delivered.slice(before);
    expect(got.map((d) => d.to)).toEqual([['kept@example.com']]);
    expect(got[0]?.body).toContain('From: kontor@example.com');
    expect(got[0]?.body).toContain('Set your password');
    expect(await worker.tick()).toBe(0);
    sender.close();
  });

  it('retries a mail the server refused, with backoff, and delivers it later', async () => {
    const store = authStore(k.db.kysely);
    const sender = smtpMailSender(sink.url, 'kontor@example.com');
    const errors: unknown[] = [];
    const worker = new MailWorker({ store, sender, clock, onError: (_m, e) => errors.push(e) });
    await store.transaction((r) => queueMail(r, clock.now(), mail('retry@example.com')));
    sink.state.refuse = true;
    const before = sink.delivered.length;
    expect(await worker.tick()).toBe(0);
    expect(errors).toHaveLength(1);
    sink.state.refuse = false;
    // Not due yet: the first retry waits 30 s.
    t += 29_000;
    expect(await worker.tick()).toBe(0);
    t += 2_000;
    expect(await worker.tick()).toBe(1);
    expect(sink.delivered.slice(before).map((d) => d.to)).toEqual([['retry@example.com']]);
    const row = await k.db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('payload', '@>', JSON.stringify({ to: 'retry@example.com' }))
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.sent_at).not.toBeNull();
    sender.close();
  });

  it('gives a mail up after its last attempt: kept with the error, never claimed again', async () => {
    const store = authStore(k.db.kysely);
    const sender = smtpMailSender(sink.url, 'kontor@example.com');
    const errors: string[] = [];
    const worker = new MailWorker({ store, sender, clock, maxAttempts: 3, onError: (m) => errors.push(m) });
    await store.transaction((r) => queueMail(r, clock.now(), mail('gone@example.com')));
    sink.state.refuse = true;
    try {
      for (let i = 0; i < 3; i++) {
        expect(await worker.tick()).toBe(0);
        t += 3_600_000;
      }
    } finally {
      sink.state.refuse = false;
    }
    expect(errors.at(-1)).toMatch(/given up after 3 attempts/);
    const row = await k.db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('payload', '@>', JSON.stringify({ to: 'gone@example.com' }))
      .executeTakeFirstOrThrow();
    expect(row.given_up_at).not.toBeNull();
    expect(row.sent_at).toBeNull();
    expect(row.last_error).toMatch(/busy/);
    // The server accepts mail again; the given-up row stays where it is.
    const before = sink.delivered.length;
    t += 3_600_000;
    expect(await worker.tick()).toBe(0);
    expect(sink.delivered.length).toBe(before);
    sender.close();
  });

  it('a mail claimed by a worker that died is sent once its lease ends', async () => {
    const store = authStore(k.db.kysely);
    await store.transaction((r) => queueMail(r, clock.now(), mail('lease@example.com')));
    // The dead worker claimed it and never reported back.
    const claimed = await store.transaction((r) =>
      r.outbox.claim('mail', clock.now(), 10, new Date(clock.now().getTime() + 300_000)),
    );
    expect(claimed).toHaveLength(1);
    const sender = smtpMailSender(sink.url, 'kontor@example.com');
    const worker = new MailWorker({ store, sender, clock });
    expect(await worker.tick()).toBe(0);
    t += 301_000;
    expect(await worker.tick()).toBe(1);
    sender.close();
  });

  it('two workers on one database deliver each mail once', async () => {
    const store = authStore(k.db.kysely);
    const n = 12;
    await store.transaction(async (r) => {
      for (let i = 0; i < n; i++) await queueMail(r, clock.now(), mail(`many${i}@example.com`));
    });
    const senders = [1, 2].map(() => smtpMailSender(sink.url, 'kontor@example.com'));
    // Small batches make the two passes interleave and claim concurrently (on PostgreSQL).
    const workers = senders.map((sender) => new MailWorker({ store, sender, clock, batch: 2 }));
    const before = sink.delivered.length;
    const drain = async (w: MailWorker) => {
      let total = 0;
      for (let got = await w.tick(); got > 0; got = await w.tick()) total += got;
      return total;
    };
    const counts = await Promise.all(workers.map(drain));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    const to = sink.delivered.slice(before).flatMap((d) => d.to);
    expect(new Set(to).size).toBe(n);
    expect(to).toHaveLength(n);
    if (onPostgres()) expect(counts.every((c) => c > 0)).toBe(true);
    for (const s of senders) s.close();
  });
});
