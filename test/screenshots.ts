// `npm run screenshots`: every hosted page at phone and desktop width, written to
// docs/screenshots/<page>-<phone|desktop>.png for the README. It starts the service on a
// fresh SQLite database with an SMTP receiver, and drives Debian's Chromium through the
// flows, as browser.test.ts does. Not a test: run it after changing a page.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { Secret, TOTP } from 'otpauth'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './support/browser.js'
import { freePort } from './support/service.js'
import { PASSWORD, startServer } from './support/server.js'
import { startSmtpReceiver } from './support/smtp.js'

const OUT = path.resolve('docs/screenshots')
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const

const smtp = await startSmtpReceiver()
const port = await freePort()
const server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}`, BRAND_NAME: 'Example Co.' }, { port })
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
  await page.goto(`${server.url}/ui/login`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL(`${server.url}/ui/account`)
}

try {
  for (const [label, viewport] of Object.entries(WIDTHS)) {
    const context = await browser.newContext({ viewport, locale: 'en-GB', userAgent: `Mozilla/5.0 (${label === 'phone' ? 'iPhone; CPU iPhone OS 18_0 like Mac OS X' : 'X11; Linux x86_64'}) Chromium` })
    const page = await context.newPage()
    const shot = async (name: string): Promise<void> => { await page.screenshot({ path: path.join(OUT, `${name}-${label}.png`), fullPage: true }) }
    accounts += 1
    const email = `ada.${accounts}@example.com`

    await page.goto(`${server.url}/ui/register`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    await shot('register-error')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await shot('login')
    await page.goto(await link(email, /Confirm your email address/, '/ui/verify_email'))
    await shot('verify-email')
    // Verified: two-step verification and passkeys are for a verified address.
    await page.getByRole('button', { name: 'Verify my email address' }).click()
    await page.goto(`${server.url}/ui/login?lang=fr`)
    await shot('login-fr')

    await signIn(page, email)
    const other = await browser.newContext({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari' })
    await signIn(await other.newPage(), email)
    await page.reload()
    await shot('account')
    await other.close()

    const totpForm = page.locator('form[action="/ui/account/totp"]')
    await totpForm.getByLabel('Current password').fill(PASSWORD)
    await totpForm.getByRole('button', { name: 'Set up an authenticator app' }).click()
    await shot('totp-setup')
    const key = (await page.locator('code.secret').textContent() ?? '').replaceAll(' ', '')
    await page.getByLabel('6-digit code from the app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate())
    await page.getByRole('button', { name: 'Turn on' }).click()
    await shot('recovery-codes')
    await page.getByRole('link', { name: 'I have saved them' }).click()
    // A privileged change from a session signed in an hour ago: confirm it is you first.
    await page.goto(`${server.url}/ui/reauthenticate?return_to=/ui/account`)
    await shot('reauthenticate')
    await page.goto(`${server.url}/ui/account`)

    await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await shot('login-error')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await shot('mfa')
    await page.goto(`${server.url}/ui/forgot_password`)
    await page.getByLabel('Email address').fill(email)
    await page.getByRole('button', { name: 'Send me a reset link' }).click()
    await shot('forgot-password')
    await page.goto(await link(email, /Reset your password/, '/ui/reset_password'))
    await shot('reset-password')
    await context.close()
  }
  console.log(`screenshots written to ${OUT}`)
} finally {
  await browser.close()
  await server.close()
  await smtp.close()
}
