// Debian's chromium driven by playwright-core, never a downloaded browser. The flags keep it from
// reaching out to Google's hosts, which this machine's closed network refuses, and let it run as root.
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // Missing chromium is a broken test machine, not a reason to skip: fail with the fix.
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Every dialog (an injected alert() would open one) and uncaught page error, for the hostile-content checks. */
export function watchPage(page: Page, seen: { dialogs: string[]; pageErrors: string[] } = { dialogs: [], pageErrors: [] }): { dialogs: string[]; pageErrors: string[] } {
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.pageErrors.push(e.message));
  return seen;
}
