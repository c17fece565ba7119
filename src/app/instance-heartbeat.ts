import type { Clock } from '../domain/ports.js';
import type { InstanceBeat, InstanceRegistry } from '../domain/system-ports.js';

/**
 * This server's row in `instances`: written at start and then every heartbeat, removed on a
 * clean stop. The beat runs from a timer, so it never rejects: a database outage only leaves the
 * row stale (the status then shows the instance silent), never an unhandled rejection.
 */
export class InstanceHeartbeat {
  private running: Promise<boolean> | undefined;
  private stopped = false;

  constructor(
    private readonly o: {
      registry: InstanceRegistry;
      clock: Clock;
      id: string;
      version: string;
      /** What /readyz would answer now. */
      ready(): Promise<boolean>;
      onError(message: string, e: unknown): void;
    },
    private readonly startedAt = o.clock.now(),
  ) {}

  get id(): string {
    return this.o.id;
  }

  /** One heartbeat; concurrent calls share it. Resolves true when the row was written. */
  beat(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.running ??= this.write()
      .then(() => true)
      .catch((e: unknown) => {
        this.o.onError('instance heartbeat failed', e);
        return false;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** The clean stop: no further beats, and the row goes (best effort; housekeeping purges it otherwise). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await this.o.registry.remove(this.o.id).catch((e: unknown) => this.o.onError('removing the heartbeat failed', e));
  }

  private async write(): Promise<void> {
    const readiness: InstanceBeat['readiness'] = (await this.o.ready().catch(() => false)) ? 'ready' : 'not_ready';
    await this.o.registry.beat(
      { id: this.o.id, startedAt: this.startedAt, version: this.o.version, readiness },
      this.o.clock.now(),
    );
  }
}
