// `npm run screenshots`: every hosted page at phone (390 px) and desktop (1280 px) width,
// written to docs/screenshots/<page>-<phone|desktop>.png for the README and
// docs/hosted-pages.md. It starts the service on a fresh SQLite database with an SMTP
// receiver (and a second one with REQUIRE_EMAIL_VERIFICATION on, for its sign-up page),
// and drives Debian's Chromium through the flows, as browser.test.ts does. Not a test: run
// it after changing a page, and look at what it wrote.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Secret, TOTP } from 'otpauth'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './support/browser.js'
import { freePort } from './support/service.js'
import { PASSWORD, startServer } from './support/server.js'
import { startSmtpReceiver } from './support/smtp.js'

const OUT = path.resolve('docs/screenshots')
// Each width signs in from a device of its kind; a second device of the other kind shows
// on the devices page.
const WIDTHS = {
  phone: { viewport: { width: 390, height: 844 }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1' },
  desktop: { viewport: { width: 1280, height: 800 }, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0' }
} as const
const OTHER_DEVICE = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15'

const smtp = await startSmtpReceiver()
const port = await freePort()
// localhost, not 127.0.0.1: browsers refuse passkeys on an IP address, and the security page would say so.
// Two identity providers, for their buttons (nothing here reaches them: no button is clicked).
const env = { SMTP_URL: smtp.url, PUBLIC_URL: `http://localhost:${port}`, BRAND_NAME: 'Example Co.', OIDC_PROVIDERS: 'google,github', OIDC_GOOGLE_CLIENT_ID: 'example', OIDC_GOOGLE_CLIENT_SECRET: 'example', OIDC_GITHUB_CLIENT_ID: 'example', OIDC_GITHUB_CLIENT_SECRET: 'example' }
const base = `http://localhost:${port}`
const server = await startServer(env, { port })
const verifyingPort = await freePort()
const verifyingBase = `http://localhost:${verifyingPort}`
const verifying = await startServer({ ...env, PUBLIC_URL: `http://localhost:${verifyingPort}`, REQUIRE_EMAIL_VERIFICATION: 'true' }, { port: verifyingPort })
const browser: Browser = await launchChromium()
await mkdir(OUT, { recursive: true })
let accounts = 0

async function link (to: string, subject: RegExp, route: string): Promise<string> {
  const mail = await smtp.waitFor(to, subject)
  const match = new RegExp(`http://\\S+${route}\\?token=[\\w-]{43}`).exec(mail.text)
  if (match === null) throw new Error(`no ${route} link in ${mail.text}`)
  return match[0]
}

async function signIn (page: Page, email: string): Promise<void> {
  await page.goto(`${base}/ui/login`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(`${base}/ui/account`)
}

async function section (page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name }).click()
}

try {
  for (const [label, device] of Object.entries(WIDTHS)) {
    const context = await browser.newContext({ ...device, locale: 'en-GB' })
    const page = await context.newPage()
    const shot = async (name: string): Promise<void> => { await page.screenshot({ path: path.join(OUT, `${name}-${label}.png`), fullPage: true }) }
    accounts += 1
    const email = `ada.${accounts}@example.com`

    // Sign up: an empty form first, then the account (which signs in).
    await page.goto(`${base}/ui/register`)
    await page.getByRole('button', { name: 'Create account' }).click()
    await shot('register-error')
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/notice=welcome/)
    await shot('account-welcome')
    await page.goto(await link(email, /Confirm your email address/, '/ui/verify_email'))
    await shot('verify-email')
    // Verified: two-step verification and passkeys are for a verified address.
    await page.getByRole('button', { name: 'Verify my email address' }).click()
    await page.goto(`${base}/ui/verify_email?token=${'x'.repeat(43)}`)
    await shot('link-invalid')

    await page.goto(`${base}/ui/account`)
    await page.locator('header').getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/notice=signed_out/)
    await shot('login')
    await page.goto(`${base}/ui/login?lang=fr`)
    await shot('login-fr')

    await signIn(page, email)
    const other = await browser.newContext({ userAgent: OTHER_DEVICE })
    await signIn(await other.newPage(), email)
    await other.close()
    await page.reload()
    await shot('account')
    await section(page, 'Devices')
    await shot('account-devices')
    await section(page, 'Security')
    await shot('account-security')

    const totpForm = page.locator('form[action="/ui/account/totp"]')
    await totpForm.getByRole('button', { name: 'Set up an authenticator app' }).click()
    await shot('totp-setup')
    const key = (await page.locator('code.secret').textContent() ?? '').replaceAll(' ', '')
    await page.getByLabel('6-digit code from the app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate())
    await page.getByRole('button', { name: 'Turn on' }).click()
    await shot('recovery-codes')
    await page.getByRole('link', { name: 'I have saved them' }).click()
    await section(page, 'Activity')
    await shot('account-activity')
    // A privileged change from a session signed in an hour ago: confirm it is you first.
    await page.goto(`${base}/ui/reauthenticate?return_to=/ui/account/security`)
    await shot('reauthenticate')
    await page.goto(`${base}/ui/account`)

    await page.locator('header').getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await shot('login-error')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await shot('mfa')
    await page.goto(`${base}/ui/forgot_password`)
    await page.getByLabel('Email address').fill(email)
    await page.getByRole('button', { name: 'Send me a reset link' }).click()
    await shot('forgot-password')
    await page.goto(await link(email, /Reset your password/, '/ui/reset_password'))
    await shot('reset-password')

    // With REQUIRE_EMAIL_VERIFICATION on, signing up says to check the mail.
    await page.goto(`${verifyingBase}/ui/register`)
    await page.getByLabel('Email address').fill(`grace.${accounts}@example.com`)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await shot('check-email')
    await context.close()
  }
  console.log(`screenshots written to ${OUT}`)
} finally {
  await browser.close()
  await server.close()
  await verifying.close()
  await smtp.close()
}
