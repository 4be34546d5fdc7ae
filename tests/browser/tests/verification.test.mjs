// Verified community roles (issue 21): a member asks for verification from settings and a
// moderator approves it from the verifications queue, as plain forms without JavaScript
// (the pages have no script of their own); the mark then shows on the member's posts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

describe('role verification without JavaScript', () => {
  it('a request from settings reaches the queue and an approval marks the posts', TEST, async () => {
    const name = unique('doer');
    const modName = unique('mod');
    s.corral.addUser(name, { role: 'member', communityRole: 'practitioner' });
    s.corral.addUser(modName, { role: 'moderator', communityRole: 'consultant' });
    const who = await s.corral.signIn(name);
    const mod = await s.corral.signIn(modName);

    const js = await s.pageAs(who, { javaScriptEnabled: true });   // axe runs as a script in the page
    await js.goto('/settings/verification');
    const form = await audit(js);
    assert.deepEqual(form.blocking, [], form.text);

    const page = await s.pageAs(who, { javaScriptEnabled: false });
    await page.goto('/settings');
    await page.getByRole('link', { name: 'ask to have it verified' }).click();
    await page.getByRole('heading', { level: 1, name: 'Role verification' }).waitFor();
    await page.getByLabel(/What shows that you are/).fill('I keep the kilns of a brickworks running.');
    await page.getByRole('button', { name: 'Ask for verification' }).click();
    await page.getByText('waiting for a moderator').waitFor();

    const mp = await s.pageAs(mod, { javaScriptEnabled: true });
    await mp.goto('/mod/verifications');
    await mp.getByRole('heading', { level: 1, name: 'Verifications' }).waitFor();
    const a11y = await audit(mp);
    assert.deepEqual(a11y.blocking, [], a11y.text);
    const item = mp.locator('.queue-item').filter({ hasText: name });
    await item.getByText('I keep the kilns of a brickworks running.').waitFor();
    const nojs = await s.pageAs(mod, { javaScriptEnabled: false });
    await nojs.goto('/mod/verifications');
    await nojs.locator('.queue-item').filter({ hasText: name }).getByRole('button', { name: 'Approve' }).click();
    await nojs.getByRole('heading', { level: 1, name: 'Verifications' }).waitFor();
    assert.equal(await nojs.locator('.queue-item').filter({ hasText: name }).count(), 0);

    await page.goto('/settings/verification');
    await page.getByText('✓ verified').first().waitFor();
    await page.goto(`/u/${name}`);
    await page.getByText('✓ verified role').waitFor();
  });
});
