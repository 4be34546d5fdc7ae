// Deleting one's account from settings goes through a confirmation page of its own, with
// or without JavaScript: the username typed and the password; afterwards the member is
// signed out and their posts read as by a deleted member (issue 17).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { PASSWORD, unique } from '../lib/corral.mjs';
import { JS_MODES, TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

for (const mode of JS_MODES) {
  describe(`deleting one's account ${mode.label}`, () => {
    it('asks on a page of its own, then signs out and leaves the posts as a deleted member\'s', TEST, async () => {
      const name = unique('bye');
      s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' });   // posts at once
      const who = await s.corral.signIn(name);
      const t = await s.corral.api('POST', '/api/v1/threads', {
        category: 'general', title: `Before I go ${unique('t')}`, body: 'Words that stay.',
      }, { cookie: who.cookie, csrf: who.csrf });
      assert.equal(t.status, 201, JSON.stringify(t.body));

      const page = await s.pageAs(who, { javaScriptEnabled: mode.javaScriptEnabled });
      await page.goto('/settings');
      await page.getByRole('link', { name: 'Delete your account…' }).click();
      await page.getByRole('heading', { level: 1, name: 'Delete your account' }).waitFor();
      if (mode.javaScriptEnabled) {   // axe runs as a script in the page
        const a11y = await audit(page);
        assert.deepEqual(a11y.blocking, [], a11y.text);
      }

      // A slip of the finger deletes nothing: the page comes back with the error.
      await page.getByLabel(/Type your username/).fill('someone-else');
      await page.getByLabel('Your password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Delete my account' }).click();
      await page.getByRole('alert').filter({ hasText: 'Type your username exactly' }).waitFor();
      assert.equal(await page.getByLabel(/Type your username/).inputValue(), 'someone-else');

      await page.getByLabel(/Type your username/).fill(name);
      await page.getByLabel('Your password').fill(PASSWORD);
      await Promise.all([page.waitForURL('**/account/deleted'),
        page.getByRole('button', { name: 'Delete my account' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Your account is deleted' }).waitFor();

      // Signed out: the header offers to sign in again.
      await page.goto('/');
      await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
      await page.goto(`/t/${t.body.thread.id}`);
      const meta = page.locator('.post-meta').first();
      assert.match(await meta.innerText(), /deleted member \d+/);
      assert.doesNotMatch(await page.content(), new RegExp(`>${name}<`));
      await page.getByText('Words that stay.').waitFor();
    });
  });
}
