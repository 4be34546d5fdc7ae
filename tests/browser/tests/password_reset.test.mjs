// Forgot password as a person goes through it, with JavaScript and without: the link on the
// sign-in page, the form, the mail, the link in it, the new password, signing in with it.
//
// The link is read from what a real SMTP server received: this file starts aiosmtpd (Debian
// python3-aiosmtpd, as the HTTP suite does) on a loopback port, storing each message in a
// Maildir, and a Corral of its own that sends through it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { Corral, PASSWORD, freePort, tmpBase, unique } from '../lib/corral.mjs';
import { expectSignedIn, pathOf, signInViaForm, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();
let corral;
let smtp;
let maildir;

/** Resolves once something accepts connections on 127.0.0.1:port. */
async function listening(port, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => { sock.end(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the SMTP server did not listen on ${port}`);
}

before(async () => {
  maildir = path.join(fs.mkdtempSync(path.join(tmpBase(), 'smtp-')), 'Maildir');
  const port = await freePort();
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
    '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: ['ignore', 'ignore', 'inherit'] });
  await listening(port);
  corral = await Corral.start({
    name: 'pwreset',
    extraArgs: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-plain-loopback',
      '--mail-from', 'Forum <forum@example.org>'],
  });
});

after(async () => {
  if (corral) assert.equal(await corral.stop(), 0, 'corral serve exits 0 on SIGTERM');
  if (smtp) smtp.kill('SIGTERM');
});

/** Quoted-printable (RFC 2045) back to text: soft line breaks joined, =XX decoded. */
function unqp(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** The reset link of the newest message the SMTP server received for address, waiting for
 * the mail worker. */
async function resetLink(address) {
  const deadline = Date.now() + 30_000;
  const inbox = path.join(maildir, 'new');
  while (Date.now() < deadline) {
    const files = fs.existsSync(inbox) ? fs.readdirSync(inbox).map((f) => path.join(inbox, f)) : [];
    files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    for (const f of files) {
      const text = unqp(fs.readFileSync(f, 'utf8'));
      const m = text.match(/http:\/\/127\.0\.0\.1:\d+\/password\/reset\?token=[A-Za-z0-9_-]+/);
      if (m && (text.includes(`<${address}>`) || text.includes(`To: ${address}`))) return m[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no reset mail to ${address} in ${inbox}`);
}

/** axe runs as a script in the page: only where scripts run. */
async function expectAccessible(page, mode) {
  if (!mode.javaScriptEnabled) return;
  const result = await audit(page);
  assert.deepEqual(result.blocking.map((v) => v.id), [], result.text);
}

for (const mode of JS_MODES) {
  describe(`forgot password ${mode.label}`, () => {
    it('mails a link, sets a new password through it, and signs in with it', TEST, async () => {
      const username = unique();
      const address = `${unique('m')}@example.org`;
      const reg = await corral.api('POST', '/api/v1/users', {
        username, password: PASSWORD, community_role: 'practitioner', email: address,
      });
      assert.equal(reg.status, 201);
      const page = await s.page({ javaScriptEnabled: mode.javaScriptEnabled, baseURL: corral.base });

      await page.goto('/login');
      await submit(page, page.getByRole('link', { name: 'Forgot your password?' }));
      assert.equal(pathOf(page), '/password/forgot');
      await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
      await expectAccessible(page, mode);
      await page.getByLabel('Username or email address').fill(address);
      await submit(page, page.getByRole('button', { name: 'Send me a link' }));
      assert.equal(pathOf(page), '/password/forgot');
      assert.match(await page.getByRole('status').innerText(), /If an account matches/);

      const link = await resetLink(address);
      assert.ok(link.startsWith(corral.base), link);
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
      assert.match(await page.getByRole('main').innerText(), new RegExp(username));
      await expectAccessible(page, mode);
      if (mode.javaScriptEnabled) {
        // past the browser's own check (minlength), the server refuses a short password beside
        // the field and the link stays usable (scripts are needed to lift that check)
        await page.getByLabel('New password').evaluate((el) => el.removeAttribute('minlength'));
        await page.getByLabel('New password').fill('short');
        await submit(page, page.getByRole('button', { name: 'Set the new password' }));
        assert.match(await page.getByRole('alert').innerText(), /10 to 1024 bytes/);
        assert.equal(await page.getByLabel('New password').getAttribute('aria-invalid'), 'true');
      }
      const fresh = `new ${PASSWORD}`;
      await page.getByLabel('New password').fill(fresh);
      await submit(page, page.getByRole('button', { name: 'Set the new password' }));
      assert.equal(pathOf(page), '/password/reset');
      assert.match(await page.getByRole('status').innerText(), /signed out/);

      // the registration's session ended with every other; nobody was signed in
      assert.equal((await corral.api('GET', '/api/v1/me', undefined, { cookie: reg.cookie })).status, 401);
      await submit(page, page.getByRole('link', { name: 'Sign in with your new password' }));
      assert.equal(pathOf(page), '/login');
      await signInViaForm(page, username, fresh);
      await expectSignedIn(page, username);

      // the link worked once
      await page.goto(link);
      assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /already been used/);
      await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    });
  });
}
