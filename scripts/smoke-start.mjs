// The README's promise, checked: `npm start` on an empty data directory prints a first
// administrator; signing in with it through the API works; SIGTERM stops the server cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'kontor-smoke-'));
const port = 3900 + Math.floor(Math.random() * 90);
const env = { ...process.env, KONTOR_DATA_DIR: dataDir, KONTOR_PORT: String(port) };
delete env.DATABASE_URL;
const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
let output = '';
child.stdout.on('data', (d) => {
  output += d;
});
child.stderr.on('data', (d) => {
  output += d;
});

const deadline = Date.now() + 120_000;
const fail = (msg) => {
  console.error(`smoke: ${msg}\n--- server output ---\n${output}`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
  process.exit(1);
};
while (!/listens on/.test(output)) {
  if (Date.now() > deadline) fail('server did not start within 120 s');
  if (child.exitCode !== null) fail(`server exited with ${child.exitCode}`);
  await new Promise((r) => setTimeout(r, 250));
}
const pick = (label) => output.match(new RegExp(`${label}:\\s+(\\S+)`))?.[1];
const [tenant, username, password] = [pick('tenant'), pick('username'), pick('password')];
if (!tenant || !username || !password) fail('credentials were not printed');
const base = `http://127.0.0.1:${port}`;
const health = await fetch(`${base}/healthz`);
if (health.status !== 200) fail(`/healthz answered ${health.status}`);
const login = await fetch(`${base}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ tenant, username, password }),
});
if (login.status !== 200) fail(`sign-in answered ${login.status}: ${await login.text()}`);
const cookie = login.headers.get('set-cookie')?.split(';')[0];
const me = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
const body = await me.json();
if (me.status !== 200 || body.user?.loginName !== username) fail(`/me answered ${me.status}: ${JSON.stringify(body)}`);
process.kill(-child.pid, 'SIGTERM');
const code = await new Promise((r) => child.on('exit', (c, s) => r(c ?? s)));
console.log(`smoke: started, signed in as ${username}@${tenant}, stopped (exit ${code})`);
