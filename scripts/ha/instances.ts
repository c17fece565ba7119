import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A `kontor serve` process started by the test, in its own process group. */
export interface Instance {
  name: string;
  base: string;
  child: ChildProcess;
  output: () => string;
}

/**
 * Starts `node --import tsx src/cli/main.ts serve` and waits for "listens on". The first
 * instance on an empty database prints the administrator's one-time password in its output.
 */
export async function startInstance(
  name: string,
  port: number,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: { ...process.env, ...env, KONTOR_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (d: Buffer) => {
    output += d;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const instance: Instance = { name, base: `http://127.0.0.1:${port}`, child, output: () => output };
  const deadline = Date.now() + timeoutMs;
  const fail = async (why: string): Promise<never> => {
    // Not yet in the caller's list: stop it here, or it would outlive the test.
    if (child.pid !== undefined && child.exitCode === null) await stopInstance(instance);
    throw new Error(`${name} ${why}:\n${output}`);
  };
  while (!/listens on/.test(output)) {
    if (child.exitCode !== null) await fail(`exited with ${child.exitCode}`);
    // The CLI reports a failed start as "kontor: <message>" and may not exit while pools are open.
    if (/^kontor: /m.test(output)) await fail('failed to start');
    if (Date.now() > deadline) await fail(`did not start within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
  return instance;
}

/** SIGTERM to the instance's process group, SIGKILL after 10 s. */
export async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null || i.child.pid === undefined) return;
  const exited = new Promise((r) => i.child.once('exit', r));
  try {
    process.kill(-i.child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (i.child.pid) process.kill(-i.child.pid, 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** The value printed after `label:` at start (tenant, username, password). */
export function printed(i: Instance, label: string): string {
  const v = i.output().match(new RegExp(`${label}:\\s+(\\S+)`))?.[1];
  if (!v) throw new Error(`${i.name} did not print ${label}:\n${i.output()}`);
  return v;
}
