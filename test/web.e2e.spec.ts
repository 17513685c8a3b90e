import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, startWebSystem, type WebSystem } from './support/web-system.js';

/**
 * The web console in a real Chromium (Debian's `chromium` package: Playwright's own browser
 * download is not reachable here), against the whole system on free ports. A missing browser fails
 * this file loudly rather than skipping it: `.ci/run` installs it, and so can you
 * (`apt-get install -y chromium`, or point CHROMIUM_PATH at another Chromium).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Screenshots are taken on every run; they replace the README's (docs/screenshots/) only with
 * UPDATE_SCREENSHOTS=1, so that a test run leaves the working tree as it found it.
 */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../docs/screenshots/', import.meta.url))
  : `${mkdtempSync(join(tmpdir(), 'helpline-screenshots-'))}/`;
const PASSWORD = 'Passw0rd!';
const KEYBOARD = 'Mechanical Keyboard';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

describe('the web console in Chromium', () => {
  let system: WebSystem;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `No Chromium at ${CHROMIUM}: the browser tests need one. Install Debian's package ` +
          '(apt-get install -y chromium) or set CHROMIUM_PATH.',
      );
    }
    buildConsole();
    [system, browser] = await Promise.all([
      startWebSystem(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
    ]);
    await mkdir(SCREENSHOTS, { recursive: true });
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    if (!process.env.UPDATE_SCREENSHOTS) await rm(SCREENSHOTS, { recursive: true, force: true });
  });

  /** No serious or critical axe-core violation on the page as it is now. */
  const checkAccessibility = async (name: string) => {
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      `accessibility of ${name}`,
    ).toEqual([]);
  };

  /** The page at desktop and phone width, into docs/screenshots/ for the README. */
  const screenshot = async (name: string) => {
    for (const [label, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${SCREENSHOTS}${name}-${label}.png`, animations: 'disabled' });
    }
    await page.setViewportSize(VIEWPORTS.desktop);
  };

  const signIn = async (email: string, password = PASSWORD) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  const shown = (locator: Locator) => locator.waitFor({ state: 'visible' });
  const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

  const menu = () => page.getByRole('navigation', { name: 'Main' });

  /** The units the products page shows for a product (once it has loaded them). */
  const stockOf = async (name: string) => {
    const text = await page.getByRole('article', { name }).getByTestId('stock').textContent();
    return Number(/(\d+) in stock/.exec(text ?? '')?.[1]);
  };
  const toProducts = () => menu().getByRole('link', { name: 'Products' }).click();

  /** The console's stored session (oidc-client-ts keeps it in sessionStorage). */
  const storedSession = () =>
    page.evaluate(() => {
      // Runs in the page (this file is type-checked without the DOM library).
      const storage = (globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage;
      const key = Object.keys(storage).find((k) => k.startsWith('oidc.user:'));
      return key ? (JSON.parse(storage[key]!) as { access_token: string; refresh_token?: string }) : null;
    });

  it('shows the start page, then the login page; a wrong password is refused there in words', async () => {
    await page.goto(system.web);
    await shown(page.getByRole('heading', { name: 'helpline console' }));
    await checkAccessibility('start page');
    await screenshot('start');

    await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${system.identity.baseUrl}/oauth2/authorize?**`);
    await signIn('user@example.com', 'not-the-password');
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/incorrect username or password/i);
  });

  it('signs the user in, shows products and a form error, places one order on a double click, and cancels it', async () => {
    await signIn('user@example.com');
    await page.waitForURL(`${system.web}/products`);
    await shown(page.getByRole('article', { name: KEYBOARD }));
    // Menus follow the groups: a user gets no staff or admin pages.
    await eventually(() => menu().getByRole('link').allTextContents()).toEqual([
      'Products',
      'My orders',
      'Profile',
    ]);
    await checkAccessibility('products');
    await screenshot('products');

    const before = await stockOf(KEYBOARD);
    expect(before).toBeGreaterThan(2);
    const card = page.getByRole('article', { name: KEYBOARD });
    await card.getByLabel('Quantity').fill('0');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await shown(card.getByText('Enter a whole number from 1'));
    await card.getByLabel('Quantity').fill('2');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: /^Cart/ }).click();
    await eventually(() => page.getByRole('list', { name: 'Items in your cart' }).textContent()).toMatch(
      KEYBOARD,
    );
    await checkAccessibility('cart');
    await screenshot('cart');

    // A double click sends at most the same Idempotency-Key twice: one order.
    await page.getByRole('button', { name: 'Place order' }).dblclick();
    await page.waitForURL(`${system.web}/orders`);
    await shown(page.getByText(/Your order \w+ is placed/));
    const orders = page.getByRole('list', { name: 'Orders' }).getByRole('article');
    await eventually(() => orders.count()).toBe(1);
    await eventually(() => orders.first().textContent()).toMatch('confirmed');
    const session = await storedSession();
    const listed = await fetch(`${system.gateway}/orders`, {
      headers: { authorization: `Bearer ${session!.access_token}` },
    });
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);
    await checkAccessibility('my orders');
    await screenshot('orders');

    await toProducts();
    await eventually(() => stockOf(KEYBOARD)).toBe(before - 2);
    await menu().getByRole('link', { name: 'My orders' }).click();
    await orders.first().getByRole('button', { name: 'Cancel order' }).click();
    await orders.first().getByRole('button', { name: 'Yes, cancel it' }).click();
    await eventually(() => orders.first().textContent()).toMatch('cancelled');
    await toProducts();
    await eventually(() => stockOf(KEYBOARD)).toBe(before);

    await menu().getByRole('link', { name: 'Profile' }).click();
    await shown(page.getByText('user@example.com').first());
    await shown(page.getByRole('heading', { name: 'Account' }));
    await checkAccessibility('profile');

    // Pages for other groups say so, whatever the address bar says.
    await page.goto(`${system.web}/admin/api-keys`);
    await shown(page.getByRole('heading', { name: 'Not available to you' }));
  });

  it('signs out to the start page; the old session no longer works through the console', async () => {
    await toProducts();
    const session = await storedSession();
    expect(session?.refresh_token).toBeTruthy();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${system.web}/`);
    await shown(page.getByText('You are signed out.'));
    expect(await storedSession()).toBeNull();

    // Back to a page of the signed-in console: it asks to sign in and shows no data.
    await page.goBack();
    await page.goto(`${system.web}/orders`);
    await shown(page.getByRole('heading', { name: 'Sign in to continue' }));
    await eventually(() => page.getByRole('list', { name: 'Orders' }).count()).toBe(0);
    // And nothing can renew it: the refresh token was revoked at the identity provider.
    const renewed = await fetch(`${system.identity.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'helpline-spa',
        refresh_token: session!.refresh_token!,
      }),
    });
    expect(renewed.status).toBe(400);
    expect(await renewed.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('lets an admin create an API key and revoke it; staff pages pass the accessibility check', async () => {
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await signIn('admin@example.com');
    await page.waitForURL(`${system.web}/**`);
    await eventually(() => menu().getByRole('link').allTextContents()).toEqual([
      'Products',
      'My orders',
      'Profile',
      'All orders',
      'Manage products',
      'Users',
      'API keys',
    ]);

    await menu().getByRole('link', { name: 'API keys' }).click();
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByRole('button', { name: 'Create key' }).click();
    await shown(form.getByText('Enter who the key is for.'));
    await form.getByLabel('Name').fill('e2e partner');
    await form.getByLabel('Usage plan').selectOption('basic');
    await form.getByRole('button', { name: 'Create key' }).click();
    await eventually(() => page.getByTestId('new-api-key').textContent()).toMatch(/^hl_/);
    const key = (await page.getByTestId('new-api-key').textContent())!;
    const row = page.getByRole('row', { name: /e2e partner/ });
    await eventually(() => row.textContent()).toMatch('active');
    await checkAccessibility('API keys, with the new key shown');
    // The photograph shows the list and the plans, not a key.
    await page.getByRole('button', { name: 'Done' }).click();
    await checkAccessibility('API keys');
    await screenshot('api-keys');

    const session = await storedSession();
    const withKey = () =>
      fetch(`${system.gateway}/products`, {
        headers: { authorization: `Bearer ${session!.access_token}`, 'x-api-key': key },
      });
    expect((await withKey()).status).toBe(200);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await eventually(() => row.textContent()).toMatch('revoked');
    expect((await withKey()).status).toBe(403);

    await menu().getByRole('link', { name: 'Users' }).click();
    await eventually(() => page.getByRole('region', { name: 'Users' }).textContent()).toMatch(
      'manager@example.com',
    );
    await checkAccessibility('users');
    await menu().getByRole('link', { name: 'Manage products' }).click();
    await eventually(() => page.getByRole('region', { name: 'Products' }).textContent()).toMatch(KEYBOARD);
    await page.getByRole('button', { name: `Edit ${KEYBOARD}` }).click();
    await page.getByLabel('Price').fill('12.5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await shown(page.getByText('Enter a whole amount, such as 1200.'));
    await checkAccessibility('manage products');
    await screenshot('manage-products');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await menu().getByRole('link', { name: 'All orders' }).click();
    await eventually(() => page.getByRole('list', { name: 'Orders' }).getByRole('article').count()).toBe(1);
    await checkAccessibility('all orders');
  });

  it('says plainly that sign-in is unavailable while the identity provider is down', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${system.web}/`);
    await system.identity.close();
    await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
    await shown(page.getByRole('heading', { name: 'Sign-in is unavailable' }));
    await checkAccessibility('identity down');
  });
});
