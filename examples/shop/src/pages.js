/**
 * The shop's pages. Every value goes through `html`, which escapes it unless it is already
 * escaped markup: claims come from an identity provider and names from people, so none is
 * trusted as HTML.
 */

class Markup {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

/** @param {string} s */
export const escapeHtml = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** @param {unknown} v @returns {string} */
const render = (v) => {
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
};

/**
 * Tagged template: `html\`<p>${name}</p>\`` escapes `name`.
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 */
export function html(strings, ...values) {
  return new Markup(strings.reduce((out, s, i) => out + render(values[i - 1]) + s));
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
dt{font-weight:600;margin-top:.6rem}dd{margin-left:1rem}pre{background:#f4f4f4;padding:.6rem;overflow:auto}
form{display:inline-block;margin:.3rem .6rem .3rem 0}.notice{background:#fff4ce;padding:.6rem}`;

/**
 * @param {string} title
 * @param {Markup} body
 */
export function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body.text}</body></html>`;
}

/** @param {string | undefined} notice */
const noticeOf = (notice) => notice && html`<p class="notice" role="status">${notice}</p>`;

/** @param {{ notice?: string }} p */
export function signedOutPage({ notice }) {
  return page(
    'Example shop',
    html`${noticeOf(notice)}<p>You are not signed in.</p>
<p><a href="/login">Sign in with Kontor</a></p>`,
  );
}

/** @param {unknown} v */
const json = (v) => (v === undefined ? '—' : JSON.stringify(v, null, 2));

/**
 * @param {{ user: any, csrf: string, notice?: string, lastCheck?: any }} p
 */
export function profilePage({ user, csrf, notice, lastCheck }) {
  const c = user.claims;
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}">`;
  const expires = Math.max(0, Math.round((user.expiresAt - Date.now()) / 1000));
  return page(
    'Example shop',
    html`${noticeOf(notice)}
<p>Signed in through Kontor as <strong id="name">${c.name ?? c.sub}</strong>.</p>
<dl>
<dt>sub (Kontor user id)</dt><dd id="sub">${c.sub}</dd>
<dt>email</dt><dd id="email">${c.email ?? '—'} ${c.email_verified ? '(verified)' : ''}</dd>
<dt>tenant (acting tenant)</dt><dd><pre id="tenant">${json(c.tenant)}</pre></dd>
<dt>home_tenant (set when acting through a share or an MSP link)</dt><dd><pre id="home-tenant">${json(c.home_tenant)}</pre></dd>
<dt>roles in the acting tenant</dt><dd id="roles">${(c.roles ?? []).join(', ') || '—'}</dd>
<dt>permissions in the acting tenant</dt><dd id="permissions">${(c.permissions ?? []).join(', ') || '—'}</dd>
<dt>sid (Kontor session)</dt><dd id="sid">${c.sid ?? '—'}</dd>
<dt>tokens</dt><dd id="tokens">access token expires in ${expires} s; refresh token: ${user.refreshToken ? 'yes' : 'none'}; scope: ${user.scope ?? '—'}</dd>
${user.userinfoError && html`<dt>userinfo</dt><dd>${user.userinfoError}</dd>`}
</dl>
<form method="post" action="/switch">${hidden}<label>Switch to tenant (slug)
 <input name="tenant" required pattern="[a-z0-9](?:[a-z0-9]|-)*"></label> <button>Switch</button></form>
<form method="post" action="/check">${hidden}<label>Ask Kontor: may I
 <input name="permission" value="shop.use" required></label> <button>Check</button></form>
<form method="post" action="/refresh">${hidden}<button>Refresh tokens</button></form>
<form method="post" action="/logout">${hidden}<button>Log out</button></form>
${lastCheck && html`<h2>POST /api/v1/check → ${lastCheck.status}</h2><pre id="check">${json(lastCheck.body)}</pre>`}`,
  );
}

/** @param {string} message */
export function errorPage(message) {
  return page('Example shop', html`<p class="notice" role="alert">${message}</p><p><a href="/">Back</a></p>`);
}
