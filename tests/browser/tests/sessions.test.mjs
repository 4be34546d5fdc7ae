// Issue 17, as a person uses it on /settings, with JavaScript and without: see where the
// account is signed in and sign one of those sessions out; change the password, which signs
// out every other session but keeps this one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PASSWORD } from '../lib/corral.mjs';
import { expectSignedIn, pathOf, signInViaForm, submit } from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();
const NEW_PASSWORD = 'a new and longer passphrase';

/** Is the session with this cookie still signed in? */
async function signedIn(session) {
  return (await s.corral.api('GET', '/api/v1/me', undefined, { cookie: session.cookie })).status === 200;
}

for (const mode of JS_MODES) {
  const opts = { javaScriptEnabled: mode.javaScriptEnabled };

  describe(`sessions and password ${mode.label}`, () => {
    it('lists where the account is signed in and signs another session out', TEST, async () => {
      const account = await s.corral.register();
      const elsewhere = await s.corral.signIn(account.username);
      const page = await s.page(opts);
      await signInViaForm(page, account.username, PASSWORD, { next: '/settings' });
      assert.equal(pathOf(page), '/settings');
      const list = page.getByRole('region', { name: 'Where you are signed in' });
      const items = list.getByRole('listitem');
      assert.equal(await items.count(), 3, 'registration, the API sign-in and this browser');
      assert.match(await items.first().innerText(), /Chrome on Linux \(this device\)/);
      assert.match(await items.first().innerText(), /from 127\.0\.0\.1/);
      const { sessions } = (await s.corral.api('GET', '/api/v1/me/sessions', undefined, elsewhere)).body;
      const other = sessions.find((x) => x.current);
      const button = list.locator(`form[action="/settings/sessions/${other.id}/delete"]`).getByRole('button');
      assert.match(await button.getAttribute('class'), /danger/);
      assert.match(await button.innerText(), /^Sign out/);
      await submit(page, button);
      assert.equal(pathOf(page), '/settings');
      await page.getByRole('status').filter({ hasText: 'Signed out there.' }).waitFor();
      assert.equal(await items.count(), 2);
      assert.equal(await signedIn(elsewhere), false, 'the session signed out gets 401');
      assert.equal(await signedIn(account), true, 'the others keep working');
      await expectSignedIn(page, account.username);
    });

    it('changes the password, refusing a wrong current one, and signs out everywhere else', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.page(opts);
      await signInViaForm(page, account.username, PASSWORD, { next: '/settings' });
      // exact: the address section has a "Current password" field of its own
      const form = page.getByRole('region', { name: 'Password', exact: true });
      await form.getByLabel('Current password').fill('not the password');
      await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await form.getByLabel('New password again').fill(NEW_PASSWORD);
      await submit(page, form.getByRole('button', { name: 'Change password' }));
      assert.match(await page.getByRole('alert').innerText(), /That is not your current password/);
      const current = form.getByLabel('Current password');
      assert.equal(await current.getAttribute('aria-invalid'), 'true');
      assert.match(await current.getAttribute('aria-describedby'), /\bform-error\b/);
      assert.equal(await current.inputValue(), '', 'a password is never shown back');
      assert.equal(await signedIn(account), true, 'nothing changed');

      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await form.getByLabel('New password again').fill(NEW_PASSWORD);
      await submit(page, form.getByRole('button', { name: 'Change password' }));
      assert.equal(pathOf(page), '/settings');
      await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
      await expectSignedIn(page, account.username);
      assert.equal(await signedIn(account), false, 'the session made at registration is over');
      assert.equal((await s.corral.api('POST', '/api/v1/session',
        { username: account.username, password: PASSWORD })).status, 401, 'the old password no longer signs in');
      await s.corral.signIn(account.username, NEW_PASSWORD);
    });
  });
}
