// Accounts as a person uses them, each flow with JavaScript and as plain forms without it:
// register, sign out, sign in (and a wrong password), settings, an admin adding a role.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PASSWORD, unique } from '../lib/corral.mjs';
import {
  expectSignedIn, expectSignedOut, pathOf, registerViaForm, signInViaForm, signOutViaForm, submit,
} from '../lib/flows.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

for (const mode of JS_MODES) {
  const opts = { javaScriptEnabled: mode.javaScriptEnabled };

  describe(`accounts ${mode.label}`, () => {
    it('registers through the form and is signed in, with a doer badge', TEST, async () => {
      const page = await s.page(opts);
      const { username } = await registerViaForm(page, { role: 'Practitioner', email: `${unique('m')}@example.org` });
      assert.equal(pathOf(page), '/');
      await expectSignedIn(page, username);
      const badge = page.getByRole('list', { name: 'Account' }).locator('.badge.kind-doer');
      assert.equal((await badge.textContent()).trim(), 'Practitioner (doer)', 'the kind is spelled out for screen readers');
      await page.getByRole('link', { name: username, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: username }).waitFor();
    });

    it('shows a taken username as an error tied to its field', TEST, async () => {
      const taken = await s.corral.register();
      const page = await s.page(opts);
      await registerViaForm(page, { username: taken.username, role: 'Vendor' });
      const alert = page.getByRole('alert');
      assert.match(await alert.innerText(), /taken/);
      const field = page.getByLabel('Username');
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.match(await field.getAttribute('aria-describedby'), /\bform-error\b/);
      assert.equal(await field.inputValue(), taken.username, 'the form keeps what was typed');
    });

    it('signs out with the header button', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.pageAs(account, opts);
      await page.goto('/');
      await expectSignedIn(page, account.username);
      await signOutViaForm(page);
      assert.equal(pathOf(page), '/');
      await expectSignedOut(page);
    });

    it('signs in and goes back where it was sent from', TEST, async () => {
      const account = await s.corral.register({ communityRole: 'analyst' });
      const page = await s.page(opts);
      await signInViaForm(page, account.username, PASSWORD, { next: '/settings' });
      assert.equal(pathOf(page), '/settings');
      await expectSignedIn(page, account.username);
    });

    it('refuses a wrong password, saying so beside the fields', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.page(opts);
      await signInViaForm(page, account.username, 'not the password at all');
      assert.match(await page.getByRole('alert').innerText(), /Wrong username or password/);
      const pw = page.getByLabel('Password');
      assert.equal(await pw.getAttribute('aria-invalid'), 'true');
      assert.match(await pw.getAttribute('aria-describedby'), /\bform-error\b/);
      assert.equal(await page.getByLabel('Username').inputValue(), account.username);
      await expectSignedOut(page);
    });

    it('edits display name, community role and bio in settings', TEST, async () => {
      const account = await s.corral.register();
      const page = await s.pageAs(account, opts);
      await page.goto('/settings');
      await page.getByLabel(/^Display name/).fill('Dana Desk');
      await page.getByRole('radio', { name: /^Consultant\b/ }).check();
      await page.getByLabel('About you').fill('I run the **service desk** of a hospital.');
      await submit(page, page.getByRole('button', { name: 'Save profile' }));
      assert.equal(pathOf(page), `/u/${account.username}`);
      const h1 = page.getByRole('heading', { level: 1 });
      assert.match(await h1.innerText(), /Dana Desk/);
      assert.equal(await page.locator('.bio strong').innerText(), 'service desk');
      assert.equal((await page.locator('.profile .roles .badge').getAttribute('class')), 'badge kind-helper');
      await page.goto('/settings');
      assert.equal(await page.getByLabel(/^Display name/).inputValue(), 'Dana Desk');
    });

    it('lets an admin add a community role on /admin', TEST, async () => {
      const admin = s.corral.addUser(unique('adm'), { role: 'admin', communityRole: 'trainer' });
      const page = await s.pageAs(await s.corral.signIn(admin.username), opts);
      await page.goto('/admin');
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      const slug = `r${unique('').slice(-8)}`.toLowerCase().replace(/[^a-z0-9]/g, 'x');
      const label = `Service owner ${slug}`;
      const form = page.getByRole('form', { name: 'Add a community role' });
      await form.getByLabel('Slug').fill(slug);
      await form.getByLabel('Label', { exact: true }).fill(label);
      await form.getByRole('radio', { name: /^doer/ }).check();
      await submit(page, form.getByRole('button', { name: 'Add role' }));
      assert.equal(pathOf(page), '/admin');
      const row = page.getByRole('row').filter({ hasText: slug });
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(label));
      // …and newcomers can choose it.
      const anon = await s.page(opts);
      await anon.goto('/register');
      await anon.getByRole('radio', { name: new RegExp(`^${label}`) }).waitFor();
    });
  });
}
