// Mail preferences in the settings and the unsubscribe confirmation page (issue 18), each
// with JavaScript and as plain forms without it, and checked by axe.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { pathOf, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite({ name: 'notify-mail' });

/** psql of the newest PostgreSQL installed (the cluster's). */
function psql(dbUrl, sql) {
  const dirs = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  const r = spawnSync(`/usr/lib/postgresql/${dirs.at(-1)}/bin/psql`, [dbUrl, '-Atc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

/** An unsubscribe token as the server signs it (libsodium crypto_auth: HMAC-SHA-512-256). */
function unsubToken(corral, uid, kind) {
  const key = Buffer.from(psql(corral.dbUrl, "SELECT encode(secret, 'hex') FROM server_secrets WHERE name = 'unsubscribe'"), 'hex');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const mac = createHmac('sha512', key).update(`unsubscribe:${uid}:${kind}:${exp}`).digest().subarray(0, 32);
  return `${uid}.${kind}.${exp}.${mac.toString('base64url')}`;
}

async function prefs(corral, account) {
  const r = await corral.api('GET', '/api/v1/me/mail-preferences', undefined, { cookie: account.cookie });
  assert.equal(r.status, 200);
  return r.body.preferences;
}

/** axe runs inside the page: only where scripts run. */
async function noBlockingViolations(page, { javaScriptEnabled }) {
  if (!javaScriptEnabled) return;
  const result = await audit(page);
  assert.deepEqual(result.blocking.map((v) => v.id), [], result.text);
}

for (const mode of JS_MODES) {
  const opts = { javaScriptEnabled: mode.javaScriptEnabled };

  describe(`mail ${mode.label}`, () => {
    it('chooses per kind in the settings, labelled radio groups, and saves', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.pageAs(account, opts);
      await page.goto('/settings');
      const section = page.getByRole('region', { name: 'Mail', exact: true });
      await section.getByRole('heading', { level: 2, name: 'Mail' }).waitFor();
      const replies = section.getByRole('group', { name: 'Mail about replies to your posts' });
      assert.equal(await replies.getByRole('radio', { name: 'At once' }).isChecked(), true);
      assert.equal(await section.getByRole('group', { name: 'Mail about new posts in threads you watch' })
        .getByRole('radio', { name: /In the digest/ }).isChecked(), true);
      await noBlockingViolations(page, opts);
      await replies.getByRole('radio', { name: 'Never' }).check();
      await submit(page, section.getByRole('button', { name: 'Save mail preferences' }));
      assert.equal(pathOf(page), '/settings');
      assert.equal(await page.getByRole('region', { name: 'Mail', exact: true })
        .getByRole('group', { name: 'Mail about replies to your posts' })
        .getByRole('radio', { name: 'Never' }).isChecked(), true);
      assert.equal((await prefs(s.corral, account)).reply, 'never');
    });

    it('confirms before unsubscribing, then stops that kind without signing in', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.page(opts);   // not signed in: the link is the credential
      await page.goto(`/unsubscribe?token=${unsubToken(s.corral, account.user.id, 'mention')}`);
      await page.getByRole('heading', { level: 1, name: 'Unsubscribe' }).waitFor();
      assert.match(await page.locator('main').innerText(), /Stop mail about mentions of you/);
      assert.equal((await prefs(s.corral, account)).mention, 'immediately', 'opening the link changes nothing');
      await noBlockingViolations(page, opts);
      await submit(page, page.getByRole('button', { name: 'Unsubscribe' }));
      await page.getByRole('heading', { level: 1, name: 'You are unsubscribed' }).waitFor();
      assert.equal((await prefs(s.corral, account)).mention, 'never');
      await noBlockingViolations(page, opts);
    });

    it('chooses the digest frequency in the same form, and its link turns it off', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.pageAs(account, opts);
      await page.goto('/settings');
      const digest = page.getByRole('region', { name: 'Mail', exact: true }).getByRole('group', { name: 'Digest' });
      assert.equal(await digest.getByRole('radio', { name: 'Weekly' }).isChecked(), true);
      await digest.getByRole('radio', { name: 'Daily' }).check();
      await submit(page, page.getByRole('button', { name: 'Save mail preferences' }));
      assert.equal(await page.getByRole('region', { name: 'Mail', exact: true }).getByRole('group', { name: 'Digest' })
        .getByRole('radio', { name: 'Daily' }).isChecked(), true);
      const api = async () => (await s.corral.api('GET', '/api/v1/me/mail-preferences', undefined,
        { cookie: account.cookie })).body.digest;
      assert.equal(await api(), 'daily');
      const out = await s.page(opts);
      await out.goto(`/unsubscribe?token=${unsubToken(s.corral, account.user.id, 'digest')}`);
      assert.match(await out.locator('main').innerText(), /Stop mail about the digest/);
      await submit(out, out.getByRole('button', { name: 'Unsubscribe' }));
      await out.getByRole('heading', { level: 1, name: 'You are unsubscribed' }).waitFor();
      assert.equal(await api(), 'off');
    });

    it('says so when the link is not valid', TEST, async () => {
      const page = await s.page(opts);
      const r = await page.goto('/unsubscribe?token=1.reply.99.forged');
      assert.equal(r.status(), 400);
      assert.match(await page.locator('main').innerText(), /not valid/);
    });
  });
}
