// lib/browser.mjs — Debian's Chromium driven by playwright-core (no browser download), and
// pages instrumented to catch what a person would never see: Content-Security-Policy
// violations (Chromium logs "Refused to …") and uncaught script errors.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CORRAL_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export const PHONE = { width: 390, height: 844 };
export const SMALL_PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/** Launch Chromium. playwright-core gives every launch a fresh temporary profile
 * (user-data dir) and removes it on close. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

const problems = new WeakMap();

/** What went wrong on a page so far: {csp: [...], errors: [...]}. */
export function pageProblems(page) {
  return problems.get(page) || { csp: [], errors: [] };
}

/** Record CSP violations and script errors of page. */
export function instrument(page) {
  const p = { csp: [], errors: [] };
  problems.set(page, p);
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Refused to|Content.Security.Policy/i.test(text)) p.csp.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => p.errors.push(`${page.url()}: ${err.message}`));
  return page;
}

/** A new isolated context (own cookies) and page on it. Options: baseURL, javaScriptEnabled,
 * colorScheme ('light' | 'dark'), viewport, reducedMotion… (Playwright context options). */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({
    viewport: DESKTOP,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    ...options,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(45_000);
  const page = instrument(await context.newPage());
  return page;
}
