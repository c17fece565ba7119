import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, call, retryDelayMs } from './http.js';
import { PASSWORD, type Scene } from './scene.js';

/** What every request of one fault phase came to. */
export interface Tally {
  sent: number;
  ok: number;
  refused503: number;
  other5xx: number;
  noAnswer: number;
  client4xx: Record<string, number>;
  /** Samples of 5xx other than 503 (status, code, path) for the report. */
  other5xxSamples: string[];
  /** Times (ms) of acknowledged writes, for the write gap. */
  writeAcks: number[];
}

export interface Created {
  loginName: string;
  key: string;
  attempts: number;
  /** The id answered with 201 (first or replayed). */
  id?: string;
  finalStatus: number;
  finalCode?: string;
  /** The 201 was a stored answer replayed for the key. */
  replayed?: boolean;
}

/** Everything acknowledged (and everything whose outcome is unknown) during one phase. */
export interface Records {
  created: Created[];
  /** user id → role sets the database may hold: the last acknowledged one and any unanswered since. */
  roles: Map<string, { acked: string[] | undefined; unknown: string[][] }>;
  shares: string[];
  sessions: { cookie: string; base: string }[];
}

export const newTally = (): Tally => ({
  sent: 0,
  ok: 0,
  refused503: 0,
  other5xx: 0,
  noAnswer: 0,
  client4xx: {},
  other5xxSamples: [],
  writeAcks: [],
});

/** How long a keyed create still retries once the load stops (a real client would go on longer). */
const RETRY_AFTER_STOP_MS = 20_000;
const ROLE_SETS = [['CustomerBasic'], ['CustomerBasic', 'Marketing']];

export class Load {
  readonly tally = newTally();
  readonly records: Records;
  private stopping = false;
  private stoppedAt: number | undefined;
  private readonly running: Promise<void>[] = [];
  private n = 0;

  constructor(
    private readonly bases: string[],
    private readonly scene: Scene,
    private readonly phase: string,
    roles: Records['roles'],
  ) {
    this.records = { created: [], roles, shares: [], sessions: [] };
  }

  private base(): string {
    this.n++;
    return this.bases[this.n % this.bases.length] as string;
  }

  private count(a: Answer, path: string, write: boolean): void {
    this.tally.sent++;
    if (a.status >= 200 && a.status < 300) {
      this.tally.ok++;
      if (write) this.tally.writeAcks.push(Date.now());
    } else if (a.status === 503) this.tally.refused503++;
    else if (a.status >= 500) {
      this.tally.other5xx++;
      if (this.tally.other5xxSamples.length < 20) {
        this.tally.other5xxSamples.push(`${a.status} ${a.body?.code ?? ''} ${path} ${a.body?.detail ?? ''}`.trim());
      }
    } else if (a.status === 0) this.tally.noAnswer++;
    else {
      const k = `${a.status} ${a.body?.code ?? ''}`.trim();
      this.tally.client4xx[k] = (this.tally.client4xx[k] ?? 0) + 1;
    }
  }

  private async req(method: string, path: string, o: Parameters<typeof call>[3], write: boolean, base = this.base()) {
    const a = await call(base, method, path, o);
    this.count(a, path, write);
    return a;
  }

  start(): void {
    const loops = [
      () => this.createUsers('a'),
      () => this.createUsers('b'),
      () => this.changeRoles(),
      () => this.releaseShares(),
      () => this.signIns(),
      () => this.decisions(),
      () => this.decisions(),
    ];
    for (const loop of loops) this.running.push(loop());
  }

  /** Stops issuing requests; unanswered keyed creates are retried for up to 20 s more. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stoppedAt = Date.now();
    await Promise.all(this.running);
  }

  /** Creates users with an Idempotency-Key and retries with the same key until answered. */
  private async createUsers(client: string): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const c: Created = {
        loginName: `ha-${this.phase}-${client}-${i}`,
        key: randomUUID(),
        attempts: 0,
        finalStatus: 0,
      };
      this.records.created.push(c);
      for (;;) {
        c.attempts++;
        const a = await this.req(
          'POST',
          `/api/v1/tenants/${this.scene.rootId}/users`,
          {
            token: this.scene.token,
            idempotencyKey: c.key,
            body: { loginName: c.loginName, displayName: c.loginName, roles: ['CustomerBasic'] },
          },
          true,
        );
        c.finalStatus = a.status;
        c.finalCode = a.body?.code;
        if (a.status === 201) {
          c.id = a.body.user.id;
          c.replayed = a.headers.get('idempotent-replayed') === 'true';
          break;
        }
        const retry = a.status === 503 || a.status === 0 || (a.status === 409 && a.body?.code === 'resource.conflict');
        if (!retry || (this.stoppedAt !== undefined && Date.now() > this.stoppedAt + RETRY_AFTER_STOP_MS)) break;
        await sleep(retryDelayMs(a));
      }
    }
  }

  private async changeRoles(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const userId = this.scene.roleUsers[i % this.scene.roleUsers.length] as string;
      const roles = ROLE_SETS[Math.floor(i / this.scene.roleUsers.length) % 2] as string[];
      const r = this.records.roles.get(userId) ?? { acked: undefined, unknown: [] };
      this.records.roles.set(userId, r);
      const a = await this.req(
        'PUT',
        `/api/v1/users/${userId}/roles`,
        { token: this.scene.token, body: { roles } },
        true,
      );
      if (a.status === 200) {
        r.acked = roles;
        r.unknown = [];
      } else if (a.status === 0 || a.status >= 500) r.unknown.push(roles);
      else await sleep(100);
      if (a.status !== 200) await sleep(retryDelayMs(a, 500));
    }
  }

  /** Offers users created by this phase to the consumer tenants (keyed, retried like creates). */
  private async releaseShares(): Promise<void> {
    let next = 0;
    while (!this.stopping) {
      const c = this.records.created.slice(next).find((x) => x.id);
      if (!c) {
        await sleep(200);
        continue;
      }
      next = this.records.created.indexOf(c) + 1;
      const target = this.scene.consumers[next % this.scene.consumers.length] as Scene['consumers'][number];
      const key = randomUUID();
      for (let attempt = 0; attempt < 40; attempt++) {
        const a = await this.req(
          'POST',
          `/api/v1/users/${c.id}/shares`,
          { token: this.scene.token, idempotencyKey: key, body: { tenantId: target.id } },
          true,
        );
        if (a.status === 201) {
          this.records.shares.push(a.body.share.id);
          break;
        }
        if (!(a.status === 503 || a.status === 0 || a.body?.code === 'resource.conflict')) break;
        await sleep(retryDelayMs(a));
      }
    }
  }

  private async signIns(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const base = this.base();
      const username = this.scene.signers[i % this.scene.signers.length] as string;
      const a = await this.req(
        'POST',
        '/api/v1/auth/login',
        { body: { tenant: this.scene.rootSlug, username, password: PASSWORD } },
        true,
        base,
      );
      if (a.status === 200) {
        this.records.sessions.push({ cookie: (a.headers.get('set-cookie') ?? '').split(';')[0] as string, base });
      } else await sleep(retryDelayMs(a, 500));
      await sleep(150);
    }
  }

  private async decisions(): Promise<void> {
    for (let i = 0; !this.stopping; i++) {
      const userId = this.scene.roleUsers[i % this.scene.roleUsers.length] as string;
      const a = await this.req(
        'POST',
        '/api/v1/check',
        { token: this.scene.token, body: { userId, tenantId: this.scene.rootId, permission: 'shop.use' } },
        false,
      );
      if (a.status === 200 && a.body.allowed !== true) {
        this.tally.client4xx['check answered not allowed'] =
          (this.tally.client4xx['check answered not allowed'] ?? 0) + 1;
      }
      if (a.status !== 200) await sleep(retryDelayMs(a, 500));
      else await sleep(20);
    }
  }
}

/** The longest interval between two acknowledged writes (seconds). */
export function writeGap(acks: number[], from: number, to: number): number {
  const t = [from, ...acks.filter((x) => x >= from && x <= to).sort((a, b) => a - b), to];
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, (t[i] as number) - (t[i - 1] as number));
  return gap / 1000;
}
