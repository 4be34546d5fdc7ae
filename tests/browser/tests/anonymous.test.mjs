// Issue 21: a verified practitioner starts a discussion without their name, from the form,
// without JavaScript; readers see "A verified practitioner" with the practitioner badge and
// the verified mark, never the name, and the page passes axe. With JavaScript, the inline
// reply form under a post (posted through the API by thread.js) does the same.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { audit } from '../lib/axe.mjs';
import { unique } from '../lib/corral.mjs';
import { postItem, submit } from '../lib/flows.mjs';
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

  it('the inline reply form under a post has the checkbox and posts anonymously with JavaScript', TEST, async () => {
    const verifier = s.corral.addUser(unique('modv'), { role: 'moderator', communityRole: 'practitioner' });
    const name = unique('anoni');
    s.corral.addUser(name, { role: 'moderator', communityRole: 'practitioner' });
    const v = await s.corral.signIn(verifier.username);
    const thread = await s.corral.api('POST', '/api/v1/threads',
      { category: 'general', title: `Inline ${unique('t')}`, body: 'How do you run your CAB?' },
      { cookie: v.cookie, csrf: v.csrf });
    assert.equal(thread.status, 201, JSON.stringify(thread.body));
    const ok = await s.corral.api('PATCH', `/api/v1/users/${name}`, { role_verified: true },
      { cookie: v.cookie, csrf: v.csrf });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const doer = await s.corral.signIn(name);
    const page = await s.pageAs(doer);
    const path = `/t/${thread.body.thread.id}`;
    await page.goto(path);
    const first = page.locator('ol.posts > li.post.depth-0');
    await first.getByRole('link', { name: 'Reply', exact: true }).click();
    const form = first.locator('form.inplace');
    const text = `Inline and nameless ${unique('x')}`;
    await form.getByLabel(/^Your reply/).fill(text);
    await form.getByLabel('Post as a verified practitioner, without my name').check();
    // every checkbox labelled once (an id per post); the whole page is audited in the test above
    const a11y = await audit(page, { rules: ['label', 'form-field-multiple-labels', 'aria-valid-attr-value'] });
    assert.deepEqual(a11y.violations, [], `thread page of a verified practitioner:\n${a11y.text}`);
    const url = page.url();
    await form.getByRole('button', { name: 'Post reply' }).click();
    await page.getByRole('status').filter({ hasText: 'Your reply is posted.' }).waitFor();
    assert.equal(page.url(), url, 'thread.js posted it, the page did not reload');
    const mine = postItem(page, text);
    await mine.waitFor();
    assert.match(await mine.locator('.post-meta').textContent(), /A verified practitioner/);
    // the reply box under the thread goes the same way (thread.js sent no "anonymous" before)
    const main = page.locator('form[action$="/reply"]').filter({ has: page.locator('#reply-main') });
    const text2 = `Main box, nameless ${unique('x')}`;
    await main.getByLabel(/^Your reply/).fill(text2);
    await main.getByLabel('Post as a verified practitioner, without my name').check();
    await main.getByRole('button', { name: 'Post reply' }).click();
    await postItem(page, text2).waitFor();
    assert.match(await postItem(page, text2).locator('.post-meta').textContent(), /A verified practitioner/);

    const reader = await s.page({ javaScriptEnabled: false });
    await reader.goto(path);
    const theirs = postItem(reader, text);
    await theirs.waitFor();
    assert.match(await theirs.locator('.post-meta').textContent(), /A verified practitioner/);
    assert.match(await postItem(reader, text2).locator('.post-meta').textContent(), /A verified practitioner/);
    assert.ok(!(await reader.content()).includes(name), 'the page names the author');
  });
});
