// lib/flows.mjs — what a person does, through the page as they see it: labelled fields,
// buttons by their names. Shared by the tests; later flows (post, reply, flag, moderate,
// vote) go here too.
import assert from 'node:assert/strict';

import { PASSWORD, unique } from './corral.mjs';

/** Click a submit button and wait for the page the server answers with. */
export async function submit(page, button) {
  await button.click();
  await page.waitForLoadState('domcontentloaded');
}

/** The account links in the site header: signed in as username, or signed out. */
export async function expectSignedIn(page, username) {
  const account = page.getByRole('list', { name: 'Account' });
  await account.getByRole('link', { name: username, exact: true }).waitFor();
  await account.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function expectSignedOut(page) {
  const account = page.getByRole('list', { name: 'Account' });
  await account.getByRole('link', { name: 'Sign in' }).waitFor();
  assert.equal(await account.getByRole('button', { name: 'Sign out' }).count(), 0);
}

/** Register on /register; lands signed in. Returns {username, password}. */
export async function registerViaForm(page, {
  username = unique('reg'), password = PASSWORD, role = 'Practitioner', email,
} = {}) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  if (email) await page.getByLabel(/^Email/).fill(email);
  await page.getByRole('radio', { name: new RegExp(`^${role}\\b`) }).check();
  await submit(page, page.getByRole('button', { name: 'Create account' }));
  return { username, password };
}

/** Sign in on /login (optionally with ?next=). */
export async function signInViaForm(page, username, password = PASSWORD, { next } = {}) {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await submit(page, page.getByRole('main').getByRole('button', { name: 'Sign in' }));
}

/** Sign out with the header's button (a plain form POST). */
export async function signOutViaForm(page) {
  await submit(page, page.getByRole('list', { name: 'Account' }).getByRole('button', { name: 'Sign out' }));
}

/** The path of the page shown now, e.g. "/u/alice". */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/* --- the forum: threads, replies, flags, moderation, ideas --- */

/** Mark the document shown now; sameDocument() then says whether no navigation happened
 * since (a script did the work in place). */
export async function markDocument(page) {
  await page.evaluate(() => { window.corralTestMark = 'unchanged'; });
}

export async function sameDocument(page) {
  return page.evaluate(() => window.corralTestMark === 'unchanged');
}

/** Press a form's button: without JavaScript wait for the page the server answers with;
 * with it, the page must stay (the script does the work) — checked by the caller with
 * sameDocument() once the result shows. */
export async function press(page, button, { js }) {
  if (!js) {
    await submit(page, button);
    return;
  }
  await markDocument(page);
  await button.click();
}

/** Start a thread on /new; lands on the thread. Returns its id. */
export async function startThreadViaForm(page, { title, body }) {
  await page.goto('/new');
  await page.getByLabel('Title').fill(title);
  await page.getByLabel(/^What do you want to discuss/).fill(body);
  await submit(page, page.getByRole('button', { name: 'Start the discussion' }));
  const m = /^\/t\/(\d+)/.exec(pathOf(page));
  assert.ok(m, `a thread page after posting, not ${page.url()}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  return Number(m[1]);
}

/** The <li> of the post on a thread page whose text holds text. */
export function postItem(page, text) {
  // the post's own body, not the live preview of a reply form inside its item
  return page.locator('ol.posts > li.post').filter({ has: page.locator('.post-body:not(.preview .post-body)', { hasText: text }) });
}

/** The post id of a post item ("p12" → 12). */
export async function postId(li) {
  return Number((await li.getAttribute('id')).slice(1));
}

/** Open the reply form under the post li (it opens in place), write text and post it. */
export async function replyInPlace(page, li, text, { js }) {
  // the post's Reply link: with JavaScript it opens the reply form under the post, without
  // it the reply page (issue 20)
  await li.getByRole('link', { name: 'Reply', exact: true }).click();
  const scope = js ? li : page;
  if (!js) await page.getByRole('heading', { level: 1, name: /^Reply in / }).waitFor();
  const box = scope.getByRole('textbox', { name: /^Your reply/ });
  await box.waitFor();
  if (js) {
    assert.equal(await box.evaluate((el) => el === document.activeElement), true,
      'opening the reply form puts the cursor in it');
  }
  await box.fill(text);
  await press(page, scope.getByRole('button', { name: 'Post reply' }), { js });
}

/** Flag the post li for the moderators: in place with JavaScript, on the flag page without. */
export async function flagPost(page, li, { reason = 'Spam', note }, { js }) {
  await li.getByRole('link', { name: 'Flag', exact: true }).click();
  const scope = js ? li : page;
  if (!js) await page.getByRole('heading', { level: 1, name: 'Flag a post' }).waitFor();
  const radio = scope.getByRole('radio', { name: reason, exact: true });
  if (js) {
    await radio.waitFor();
    assert.equal(await scope.getByRole('radio').first().evaluate((el) => el === document.activeElement), true,
      'opening the flag form puts the focus in it');
  }
  await radio.check();
  if (note) await scope.getByLabel(/^Note for the moderators/).fill(note);
  await press(page, scope.getByRole('button', { name: 'Flag for moderators' }), { js });
}

/** On /mod?kind=KIND, decide the item holding text with the button named action, after
 * filling fields ({label: value}); the item leaves the queue. */
export async function decideOnMod(page, kind, text, action, fields = {}) {
  await page.goto(`/mod?kind=${kind}`);
  const item = page.locator('li.queue-item').filter({ hasText: text });
  await item.waitFor();
  for (const [label, value] of Object.entries(fields)) await item.getByLabel(label, { exact: true }).fill(value);
  await submit(page, item.getByRole('button', { name: action, exact: true }));
  assert.equal(pathOf(page), '/mod');
  assert.equal(await page.locator('li.queue-item').filter({ hasText: text }).count(), 0,
    `the ${kind} item "${text}" left the queue`);
}

/** The counts of an idea on the board or its page: {total, doers, helpers}. */
export async function voteCounts(scope) {
  const votes = scope.locator('p.votes').first();
  const num = async (sel) => Number(/\d+/.exec(await votes.locator(sel).innerText())[0]);
  return { total: await num('.votes-total'), doers: await num('.votes-doer'), helpers: await num('.votes-helper') };
}
