// Two-factor sign-in as a person sets it up (issue 17), with JavaScript and without: from
// settings, add the key to an "app" (the code is computed here, RFC 6238 with
// crypto.createHmac), confirm with a code, keep the recovery codes, then sign in with the
// password and a code on the second page.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';

import { expectSignedIn, expectSignedOut, pathOf, signInViaForm, signOutViaForm, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const nowStep = () => Math.floor(Date.now() / 1000 / 30);

for (const mode of JS_MODES) {
  const opts = { javaScriptEnabled: mode.javaScriptEnabled };

  describe(`two-factor sign-in ${mode.label}`, () => {
    it('is set up from settings and then asked for after the password', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.page(opts);
      await signInViaForm(page, account.username);
      await page.goto('/settings');
      await page.getByRole('heading', { level: 2, name: 'Two-factor sign-in' }).waitFor();
      await submit(page, page.getByRole('link', { name: /two-factor sign-in/ }));
      assert.equal(pathOf(page), '/settings/2fa');
      await submit(page, page.getByRole('button', { name: 'Set up two-factor sign-in' }));
      assert.equal(pathOf(page), '/settings/2fa');
      const secret = (await page.locator('#tf-secret').textContent()).trim();
      assert.match(secret, /^[A-Z2-7]{32}$/);
      assert.match(await page.locator('#tf-uri').getAttribute('href'), /^otpauth:\/\/totp\//);

      const step = nowStep();
      await page.getByLabel('Code from your app').fill(totp(secret, step));
      await submit(page, page.getByRole('button', { name: 'Turn on two-factor sign-in' }));
      await page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor();
      assert.equal(await page.locator('#recovery-codes li').count(), 10);

      await signOutViaForm(page);
      await expectSignedOut(page);
      await signInViaForm(page, account.username, account.password, { next: '/settings' });
      assert.equal(pathOf(page), '/login/2fa');
      await expectSignedOut(page);
      const code = page.getByLabel('Code from your authenticator app');
      await code.fill('000000' === totp(secret, step + 1) ? '111111' : '000000');
      await submit(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }));
      assert.match(await page.getByRole('alert').innerText(), /not right/);
      assert.equal(await page.getByLabel('Code from your authenticator app').getAttribute('aria-invalid'), 'true');
      await page.getByLabel('Code from your authenticator app').fill(totp(secret, step + 1));
      await submit(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }));
      assert.equal(pathOf(page), '/settings');
      await expectSignedIn(page, account.username);
    });
  });
}
