/**
 * Links from mails (`/set-password#token=…`, `/signup/confirm#token=…`, `/verify-email#token=…`)
 * carry their token in the fragment, which never reaches a server log. Read it once at start and
 * take it out of the address bar and the history entry, so neither Back, the history list nor a
 * shared screen shows it again.
 */
function takeLinkToken(): string {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  if (token !== '') {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  }
  return token;
}

export const linkToken: string = takeLinkToken();
