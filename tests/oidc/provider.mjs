// A real OpenID Connect provider for the tests, shaped like Microsoft Entra ID: panva's
// oidc-provider on 127.0.0.1, mounted under /<tenant>/v2.0 so the issuer is
// http://127.0.0.1:PORT/<tenant>/v2.0 as Entra's is https://login.microsoftonline.com/<tenant>/v2.0.
// coreflect/oidc_testing.py starts it; docs/testing.md says how to use it.
//
//   node tests/oidc/provider.mjs [--port N] [CONFIG.json]
//
// Without CONFIG.json the configuration is the first line of stdin (one JSON document). Either
// way the provider runs until its stdin closes (so it cannot outlive the process that started
// it) or it is sent SIGTERM or SIGINT. Its only line on stdout is the JSON "ready" line, printed
// once it listens: {"ready": true, "port": N, "authority": ..., "issuer": ...}. Everything else,
// errors included, goes to stderr.
//
// Configuration:
//   {"tenant_id": "…",
//    "clients": [{"client_id": "…", "client_secret": "…", "redirect_uris": ["…"],
//                 "token_endpoint_auth_method": "client_secret_post" | "client_secret_basic"}],
//    "accounts": {"<login>": {"oid": "…", "tid": "…" (default: tenant_id), "email": "…",
//                             "email_verified": true, "name": "…", "preferred_username": "…",
//                             "amr": ["pwd", "mfa"]}},
//    "now": "2026-11-23T10:00:00+00:00" (optional: the clock stands still at this instant)}
//
// `sub` is pairwise, as Entra's is: the same account has a different sub for each client,
// base64url(SHA-256("<tenant_id>:<client_id>:<oid>")) without padding (43 characters).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

// oidc-provider prints notices with console.info (stdout); stdout is for the ready line alone.
console.log = console.error;
console.info = console.error;

// Once the provider runs, the end of stdin stops it; before that it may already have come.
let stdinEnded = false;
let stop = () => {};
process.stdin.on('end', () => {
  stdinEnded = true;
  stop();
});

const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'];
const GRANTED_SCOPES = 'openid profile email';
const TENANT = /^[A-Za-z0-9._-]+$/;

function fail(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
  process.exit(2);
}

function parseArguments(argv) {
  let port = 0;
  let configPath;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--port') {
      port = Number(argv[i + 1]);
      i += 1;
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${argv[i]}`);
    } else if (configPath === undefined && !argv[i].startsWith('--')) {
      configPath = argv[i];
    } else {
      fail(`unexpected argument ${argv[i]} (usage: provider.mjs [--port N] [CONFIG.json])`);
    }
  }
  return { port, configPath };
}

// Resolves with the first line of stdin; whatever follows is ignored.
function firstLineOfStdin() {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end !== -1) {
        process.stdin.off('data', onData);
        process.stdin.off('end', onEnd);
        resolve(text.slice(0, end));
      }
    };
    const onEnd = () => (text.trim() ? resolve(text) : reject(new Error('stdin closed before the configuration')));
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  });
}

function text(value, where) {
  if (typeof value !== 'string' || !value) fail(`config: ${where} must be a non-empty string`);
  return value;
}

function validate(config) {
  if (typeof config !== 'object' || config === null) fail('config: expected a JSON object');
  const tenant = text(config.tenant_id, 'tenant_id');
  if (!TENANT.test(tenant)) fail(`config: tenant_id ${JSON.stringify(tenant)} must be letters, digits, ".", "_" or "-"`);
  if (!Array.isArray(config.clients) || !config.clients.length) fail('config: clients must be a non-empty list');
  const clients = config.clients.map((client, i) => {
    const where = `clients[${i}]`;
    const method = client.token_endpoint_auth_method ?? 'client_secret_post';
    if (!AUTH_METHODS.includes(method)) fail(`config: ${where}.token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
    if (!Array.isArray(client.redirect_uris) || !client.redirect_uris.length) fail(`config: ${where}.redirect_uris must be a non-empty list`);
    return {
      client_id: text(client.client_id, `${where}.client_id`),
      client_secret: text(client.client_secret, `${where}.client_secret`),
      redirect_uris: client.redirect_uris.map((uri, j) => text(uri, `${where}.redirect_uris[${j}]`)),
      token_endpoint_auth_method: method,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    };
  });
  if (typeof config.accounts !== 'object' || config.accounts === null) fail('config: accounts must be an object keyed by login');
  const byOid = new Map();
  const logins = new Map();
  for (const [login, account] of Object.entries(config.accounts)) {
    const where = `accounts[${JSON.stringify(login)}]`;
    if (typeof account.email_verified !== 'boolean') fail(`config: ${where}.email_verified must be true or false`);
    if (!Array.isArray(account.amr) || !account.amr.length) fail(`config: ${where}.amr must be a non-empty list`);
    const claims = {
      oid: text(account.oid, `${where}.oid`),
      tid: account.tid === undefined ? tenant : text(account.tid, `${where}.tid`),
      email: text(account.email, `${where}.email`),
      email_verified: account.email_verified,
      name: text(account.name, `${where}.name`),
      preferred_username: text(account.preferred_username, `${where}.preferred_username`),
      amr: account.amr.map((value, j) => text(value, `${where}.amr[${j}]`)),
    };
    if (byOid.has(claims.oid)) fail(`config: ${where}.oid is another account's too`);
    byOid.set(claims.oid, claims);
    logins.set(login, claims);
  }
  let now;
  if (config.now !== undefined && config.now !== null) {
    now = Date.parse(text(config.now, 'now'));
    if (Number.isNaN(now)) fail(`config: now ${JSON.stringify(config.now)} is not a date and time`);
  }
  return { tenant, clients, byOid, logins, now };
}

// Tests freeze their own clock; a provider whose clock stands at the same instant issues tokens
// that clock accepts (PyJWT refuses an iat after its now).
function freezeClock(instant) {
  const RealDate = Date;
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length) super(...args);
      else super(instant);
    }

    static now() {
      return instant;
    }
  }
  globalThis.Date = FrozenDate;
}

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value) => String(value).replace(/[&<>"']/g, (c) => escapes[c]);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} – Test Entra ID</title>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage({ action, tenant, error, login = '' }) {
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return page(error ? 'Error: Sign in' : 'Sign in', `<h1>Sign in</h1>
<p>Test identity provider for tenant ${escape(tenant)}, imitating Microsoft Entra ID. No password: the username chooses the account.</p>
${error ? `<div role="alert"><p id="login-error">${escape(error)}</p></div>\n` : ''}<form method="post" action="${escape(action)}">
<label for="login">Username</label>
<input id="login" name="login" type="text" value="${escape(login)}" autocomplete="username" autocapitalize="none" spellcheck="false" required${invalid}>
<button type="submit">Sign in</button>
</form>`);
}

function errorPage(message) {
  return page('Sign-in error', `<h1>Sign-in error</h1>\n<p id="error">${escape(message)}</p>`);
}

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // No script or style on these pages. (form-action would also govern the redirects that
    // follow the form, to the client's own address, so it is left out.)
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  });
  res.end(html);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 65536) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

// The provider's cookies are kept for the browser's (or cookie jar's) session: an expiry worked
// out on a frozen clock would be in the past for a real browser, which would drop the cookie.
// Deletions (expiry at the epoch) stay. Done as the headers are written, since oidc-provider
// appends the session cookie's expiry to the Set-Cookie list after setting it.
function keepCookiesForTheSession(res) {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = (...args) => {
    const cookies = res.getHeader('set-cookie');
    if (cookies) {
      res.setHeader('set-cookie', [].concat(cookies).map((cookie) => (
        cookie.includes('expires=Thu, 01 Jan 1970')
          ? cookie
          : cookie.replace(/;\s*expires=[^;]*/gi, '').replace(/;\s*max-age=[^;]*/gi, '')
      )));
    }
    return writeHead(...args);
  };
}

function pairwiseSubject(tenant, clientId, oid) {
  return crypto.createHash('sha256').update(`${tenant}:${clientId}:${oid}`).digest('base64url');
}

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };
}

async function main() {
  const { port, configPath } = parseArguments(process.argv.slice(2));
  let raw;
  try {
    raw = configPath === undefined || configPath === '-'
      ? await firstLineOfStdin()
      : fs.readFileSync(configPath, 'utf8');
  } catch (error) {
    fail(`cannot read the configuration: ${error.message}`);
  }
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    fail(`the configuration is not JSON: ${error.message}`);
  }
  const { tenant, clients, byOid, logins, now } = validate(parsed);
  if (now !== undefined) freezeClock(now);

  // Loaded only now, so its notices go where console was pointed.
  const { default: Provider, errors } = await import('oidc-provider');

  let handler = (req, res) => send(res, 503, errorPage('Starting'));
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;
  const authority = `http://127.0.0.1:${actualPort}`;
  const prefix = `/${tenant}/v2.0`;
  const issuer = `${authority}${prefix}`;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    clientAuthMethods: AUTH_METHODS,
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (ctx, accountId, client) => pairwiseSubject(tenant, client.clientId, accountId),
    scopes: ['openid', 'profile', 'email'],
    claims: {
      // amr is the login's (the account's, given at sign-in), not findAccount's; it is in the
      // ID token only, as the userinfo claims below have none.
      openid: ['sub', 'tid', 'oid', 'amr'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    // Entra puts the profile and email claims in the ID token of the code flow too.
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      const account = byOid.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims(use) {
          // Entra's userinfo answers with the standard profile claims alone: no oid, tid or
          // email_verified (those are in the ID token).
          if (use === 'userinfo') return { sub: id, name: account.name, email: account.email };
          const { amr, ...claims } = account;
          return { sub: id, ...claims };
        },
      };
    },
    // Consent is given at once for the scopes Entra grants without asking, so there is no
    // consent page. (Other scopes are dropped before this, as the provider supports none.)
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      const existing = grantId && await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.account.accountId,
      });
      grant.addOIDCScope(GRANTED_SCOPES);
      await grant.save();
      return grant;
    },
    interactions: { url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    clientBasedCORS: () => false,
    async renderError(ctx, out, error) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = errorPage(out.error_description ? `${out.error}: ${out.error_description}` : out.error);
    },
  });

  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'discovery.error', 'jwks.error']) {
    provider.on(event, (ctx, error) => {
      const detail = error.error_description ? `${error.message}: ${error.error_description}` : error.message;
      process.stderr.write(`provider.mjs: ${event}: ${detail}\n`);
      if (event === 'server_error') process.stderr.write(`${error.stack}\n`);
    });
  }

  async function interaction(req, res, uid) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) throw error;
      send(res, 400, errorPage('This sign-in was not started here or has expired: start again from the application.'));
      return;
    }
    if (details.uid !== uid) {
      send(res, 400, errorPage('This sign-in page belongs to another sign-in: start again from the application.'));
      return;
    }
    // Only if the grant above misses something: refused, not asked about.
    if (details.prompt.name === 'consent') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: `this test provider grants only the scopes ${GRANTED_SCOPES}`,
      }, { mergeWithLastSubmission: false });
      return;
    }
    const action = `${prefix}/interaction/${uid}`;
    if (req.method === 'GET') {
      send(res, 200, loginPage({ action, tenant }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'GET, POST' });
      res.end();
      return;
    }
    const login = ((await readForm(req)).get('login') ?? '').trim();
    const account = logins.get(login);
    if (!account) {
      const error = login ? `There is no account called ${login}.` : 'Enter your username.';
      send(res, 200, loginPage({ action, tenant, error, login }));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: account.oid, amr: account.amr, remember: true },
    }, { mergeWithLastSubmission: false });
  }

  const callback = provider.callback();
  const interactionPath = new RegExp(`^${prefix.replace(/[.]/g, '\\.')}/interaction/([A-Za-z0-9_-]+)$`);
  handler = (req, res) => {
    keepCookiesForTheSession(res);
    const { pathname } = new URL(req.url, authority);
    const match = interactionPath.exec(pathname);
    const answer = match
      ? interaction(req, res, match[1])
      : pathname === prefix || pathname.startsWith(`${prefix}/`)
        ? (() => {
          // As Express mounts an app: oidc-provider finds its mount path from originalUrl.
          req.originalUrl = req.url;
          req.url = req.url.slice(prefix.length) || '/';
          return callback(req, res);
        })()
        : send(res, 404, errorPage(`Nothing here: the provider is under ${issuer}`));
    Promise.resolve(answer).catch((error) => {
      process.stderr.write(`provider.mjs: ${req.method} ${req.url}: ${error.stack}\n`);
      if (!res.headersSent) send(res, 500, errorPage('The test provider failed: see its stderr.'));
      else res.end();
    });
  };

  stop = () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (stdinEnded) stop();
  process.stdout.write(`${JSON.stringify({ ready: true, port: actualPort, authority, issuer })}\n`);
  process.stdin.resume();
}

main().catch((error) => fail(error.stack));
