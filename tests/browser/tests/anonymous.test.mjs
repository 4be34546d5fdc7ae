// Issue 21: a verified practitioner starts a discussion without their name, from the form,
// without JavaScript; readers see "A verified practitioner" with the practitioner badge and
// the verified mark, never the name, and the page passes axe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { submit } from '../lib/flows.mjs';
import { TEST, useSuite } from '../lib/harness.mjs';

const s = useSuite();

describe('posting as a verified practitioner', () => {
  it('the checkbox works without JavaScript and readers never see the name', TEST, async () => {
    // moderators' posts appear at once; the one who posts is verified by the other
    const verifier = s.corral.addUser(unique('modv'), { role: 'moderator', communityRole: 'practitioner' });
    const name = unique('anond');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' });
    const v = await s.corral.signIn(verifier.username);
    const ok = await s.corral.api('PATCH', `/api/v1/users/${name}`, { role_verified: true },
      { cookie: v.cookie, csrf: v.csrf });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const doer = await s.corral.signIn(name);
    const page = await s.pageAs(doer, { javaScriptEnabled: false });
    await page.goto('/new');
    const title = `Without my name ${unique('t')}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel(/What do you want to discuss/).fill('How we really run our change board.');
    await page.getByLabel('Post as a verified practitioner, without my name').check();
    await submit(page, page.getByRole('button', { name: 'Start the discussion' }));
    const path = new URL(page.url()).pathname;
    assert.match(path, /^\/t\/\d+/);

    const reader = await s.page();   // a visitor, with JavaScript (axe runs as a script)
    await reader.goto(path);
    await reader.getByRole('heading', { level: 1, name: title }).waitFor();
    const meta = reader.locator('.post-meta').first();
    assert.match(await meta.textContent(), /A verified practitioner[\s\S]*Practitioner[\s\S]*verified/);
    assert.ok(!(await reader.content()).includes(name), 'the page names the author');
    const result = await audit(reader);
    assert.deepEqual(result.blocking, [], `thread page:\n${result.text}`);
  });
});
