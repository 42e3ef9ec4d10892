// Debian's Chromium driven by playwright-core, launched as DEVELOPERS.md says. A machine
// without /usr/bin/chromium fails the browser tests (CI installs it); nothing is skipped.
import { chromium } from 'playwright-core';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export async function launchChromium() {
    return await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    });
}
