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
