import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Quotes one word for `sh -c`. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts `cmd args…` as the `postgres` OS user in the background, output appended to `logFile`,
 * and records its pid (the program's own, not runuser's or the shell's) in `pidFile`. initdb
 * refuses to run as root, and every file of the cluster belongs to postgres.
 */
export async function startAsPostgres(cmd: string, args: string[], logFile: string, pidFile: string): Promise<number> {
  const line = `${[cmd, ...args].map(shellQuote).join(' ')} </dev/null >>${shellQuote(logFile)} 2>&1 & echo $!`;
  // detached: its own session, so a Ctrl-C in the terminal that ran `cluster up` does not reach it.
  const child = spawn('runuser', ['-u', 'postgres', '--', 'sh', '-c', line], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const pid = Number(out.trim());
  if (code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`Could not start ${cmd}: ${err || out}`);
  writeFileSync(pidFile, `${pid}\n`);
  return pid;
}

/** The command line of a live, non-zombie process, or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Alive and still the program we started (a recycled pid running something else is not). */
export function isRunning(pid: number | undefined, program: string): pid is number {
  if (pid === undefined) return false;
  const cmd = commandLine(pid);
  return cmd?.includes(program) === true;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid holds more lines (data dir, start time, port …); the pid is the first.
  const n = Number(readFileSync(pidFile, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The postmaster's pid from `postmaster.pid` (first line) when that process is alive. */
export function postmasterPid(dataDir: string): number | undefined {
  const pid = readPid(`${dataDir}/postmaster.pid`);
  return isRunning(pid, 'postgres') ? pid : undefined;
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs. True when it had been running. */
export async function stopPid(
  pid: number | undefined,
  program: string,
  graceMs = 30_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  if (!isRunning(pid, program)) return false;
  try {
    process.kill(pid, signal);
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (isRunning(pid, program)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await sleep(200);
      break;
    }
    await sleep(100);
  }
  return true;
}

export function killPid(pid: number, signal: NodeJS.Signals): void {
  process.kill(pid, signal);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** Children of `parent` whose command line contains `text` (e.g. the standby's walreceiver). */
export function childrenMatching(parent: number, text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && (commandLine(Number(entry)) ?? '').includes(text)) found.push(Number(entry));
    } catch {}
  }
  return found;
}
