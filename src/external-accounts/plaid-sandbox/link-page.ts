// The Link stand-in: a page Keel serves for a link token, where a person picks an institution,
// signs in with the sandbox credentials and chooses accounts. It hands back the public token the
// way Plaid Link's onSuccess does: postMessage to the window that opened it, and a redirect to the
// link token's redirect_uri with ?public_token=…; with neither, it shows the token.

/** The page. The script reads the token from the URL and talks to /plaid/link/* on the same origin. */
export function linkPageHtml(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Link your bank account · Keel Plaid sandbox</title>
<style nonce="${nonce}">
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; }
  body { margin: 0; background: #eef1f4; display: flex; min-height: 100vh; align-items: center; justify-content: center; }
  main { background: #fff; width: 380px; border-radius: 14px; box-shadow: 0 8px 30px rgba(0,0,0,.12); padding: 28px; }
  h1 { font-size: 20px; margin: 0 0 6px; }
  p.sub { color: #555; margin: 0 0 18px; font-size: 14px; }
  .badge { display: inline-block; font-size: 11px; letter-spacing: .05em; text-transform: uppercase; background: #fff3cd; color: #7a5b00; border-radius: 6px; padding: 2px 8px; margin-bottom: 12px; }
  button.institution { display: flex; align-items: center; gap: 12px; width: 100%; text-align: left; padding: 12px; margin: 0 0 8px; border: 1px solid #d9dee3; background: #fff; border-radius: 10px; font-size: 15px; cursor: pointer; }
  button.institution:hover { border-color: #111; }
  .swatch { width: 28px; height: 28px; border-radius: 50%; flex: none; }
  label { display: block; font-size: 13px; color: #333; margin: 12px 0 4px; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 10px; border: 1px solid #c7cdd3; border-radius: 8px; font-size: 15px; }
  .account { display: flex; align-items: center; gap: 10px; padding: 10px; border: 1px solid #d9dee3; border-radius: 10px; margin-bottom: 8px; font-size: 14px; }
  .account small { color: #666; display: block; }
  button.primary { width: 100%; margin-top: 18px; padding: 12px; border: 0; border-radius: 10px; background: #111; color: #fff; font-size: 15px; cursor: pointer; }
  button.primary:disabled { background: #888; cursor: default; }
  .error { background: #fdecea; color: #8a1c12; border-radius: 8px; padding: 10px; font-size: 14px; margin-top: 14px; }
  .hint { color: #666; font-size: 12px; margin-top: 12px; }
  code { background: #f3f4f6; padding: 2px 5px; border-radius: 4px; word-break: break-all; }
  .hint code { word-break: normal; white-space: nowrap; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
  <div class="badge">Sandbox</div>
  <section id="step-loading"><h1>Loading…</h1></section>
  <section id="step-institution" hidden>
    <h1 id="title">Select your bank</h1>
    <p class="sub"><span id="client-name"></span> uses Plaid to link your bank account.</p>
    <div id="institutions"></div>
  </section>
  <section id="step-credentials" hidden>
    <h1>Sign in to <span id="institution-name"></span></h1>
    <p class="sub">Enter your online banking credentials.</p>
    <form id="credentials">
      <label for="username">Username</label>
      <input id="username" name="username" type="text" autocomplete="off" required>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="off" required>
      <button class="primary" id="submit-credentials" type="submit">Submit</button>
    </form>
    <p class="hint">Sandbox credentials: <code>user_good</code> / <code>pass_good</code>. Password <code>error_ITEM_LOCKED</code> (or another Plaid error code) makes Link fail that way.</p>
  </section>
  <section id="step-accounts" hidden>
    <h1>Choose accounts</h1>
    <p class="sub">Select the accounts to share with <span class="client"></span>.</p>
    <div id="accounts"></div>
    <button class="primary" id="continue" type="button">Continue</button>
  </section>
  <section id="step-done" hidden>
    <h1 id="done-title">Success</h1>
    <p class="sub" id="done-text">Your account is linked.</p>
    <p class="hint">public_token: <code id="public-token"></code></p>
  </section>
  <div class="error" id="error" role="alert" hidden></div>
</main>
<script nonce="${nonce}">
(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  const steps = ['step-loading', 'step-institution', 'step-credentials', 'step-accounts', 'step-done'];
  const show = (id) => { for (const s of steps) $(s).hidden = s !== id; };
  const fail = (e) => { $('error').textContent = e.display_message || e.error_message || 'Something went wrong.'; $('error').dataset.code = e.error_code || ''; $('error').hidden = false; };
  const clearError = () => { $('error').hidden = true; $('error').textContent = ''; };
  const call = async (path, body) => {
    const res = await fetch('/plaid/link/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ link_token: token, ...body }) });
    const json = await res.json();
    if (!res.ok) throw json;
    return json;
  };
  let institution = null, credentials = null;

  call('session', {}).then((session) => {
    $('client-name').textContent = session.client_name;
    for (const el of document.querySelectorAll('.client')) el.textContent = session.client_name;
    if (session.update_mode) $('title').textContent = 'Reconnect your bank';
    for (const inst of session.institutions) {
      const b = document.createElement('button');
      b.className = 'institution'; b.type = 'button'; b.dataset.institutionId = inst.institution_id;
      const sw = document.createElement('span'); sw.className = 'swatch'; sw.style.background = inst.primary_color;
      const name = document.createElement('span'); name.textContent = inst.name;
      b.append(sw, name);
      b.addEventListener('click', () => { institution = inst; clearError(); $('institution-name').textContent = inst.name; show('step-credentials'); $('username').focus(); });
      $('institutions').append(b);
    }
    show('step-institution');
  }, (e) => { show('step-loading'); $('step-loading').hidden = true; fail(e); });

  $('credentials').addEventListener('submit', async (ev) => {
    ev.preventDefault(); clearError();
    credentials = { institution_id: institution.institution_id, username: $('username').value, password: $('password').value };
    $('submit-credentials').disabled = true;
    try {
      const { accounts } = await call('credentials', credentials);
      $('accounts').replaceChildren();
      for (const a of accounts) {
        const row = document.createElement('label'); row.className = 'account';
        const box = document.createElement('input'); box.type = 'checkbox'; box.value = a.mask; box.name = 'account'; box.checked = a.subtype === 'checking';
        const text = document.createElement('span'); text.textContent = a.name + ' ••' + a.mask;
        const sub = document.createElement('small'); sub.textContent = a.subtype + ' · $' + a.balance.toFixed(2);
        text.append(sub); row.append(box, text); $('accounts').append(row);
      }
      show('step-accounts');
    } catch (e) { fail(e); } finally { $('submit-credentials').disabled = false; }
  });

  $('continue').addEventListener('click', async () => {
    clearError();
    const masks = [...document.querySelectorAll('input[name=account]:checked')].map((b) => b.value);
    $('continue').disabled = true;
    try {
      const done = await call('complete', { ...credentials, account_masks: masks });
      const message = { type: 'PLAID_LINK_SUCCESS', public_token: done.public_token, metadata: done.metadata };
      if (window.opener) window.opener.postMessage(message, '*');
      if (window.parent !== window) window.parent.postMessage(message, '*');
      $('public-token').textContent = done.public_token || '(update mode: nothing to exchange)';
      if (done.update_mode) { $('done-title').textContent = 'Reconnected'; $('done-text').textContent = 'Your bank login is up to date.'; }
      show('step-done');
      if (done.redirect_uri && done.public_token) {
        const url = new URL(done.redirect_uri);
        url.searchParams.set('public_token', done.public_token);
        url.searchParams.set('institution_id', done.metadata.institution.institution_id);
        location.assign(url.toString());
      }
    } catch (e) { fail(e); } finally { $('continue').disabled = false; }
  });
})();
</script>
</body>
</html>
`
}
