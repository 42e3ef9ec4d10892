// The hosted pages in a real browser (Debian's Chromium under playwright-core), mail through
// the suite's SMTP receiver: every flow end to end, once with JavaScript and once without;
// no CSP violation and no request to another host on any page; a cross-site form post
// makes no session; an open redirect is refused; French.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, beforeEach, describe, it } from 'node:test'
import { Secret, TOTP } from 'otpauth'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium } from './support/browser.js'
import { freePort } from './support/service.js'
import { PASSWORD, startServer, type TestServer, uniqueEmail } from './support/server.js'
import { type SmtpReceiver, startSmtpReceiver } from './support/smtp.js'

describe('hosted pages in Chromium', () => {
  let server: TestServer
  let smtp: SmtpReceiver
  let browser: Browser
  /** CSP violations and requests to other hosts, by page URL: none may happen. */
  const problems: string[] = []

  before(async () => {
    smtp = await startSmtpReceiver()
    const port = await freePort()
    // PUBLIC_URL is the address the browser uses: mail links open these very pages.
    server = await startServer({ SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}` }, { port })
    browser = await launchChromium()
  })
  // Each test answers for what happened in it.
  beforeEach(() => { problems.length = 0 })
  after(async () => {
    await browser?.close()
    await server?.close()
    await smtp?.close()
  })

  async function newContext (javaScript: boolean): Promise<BrowserContext> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript, locale: 'en-GB' })
    context.on('page', watch)
    return context
  }

  function watch (page: Page): void {
    page.on('console', message => {
      if (/Content Security Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`)
    })
    page.on('request', request => {
      const url = request.url()
      if (!url.startsWith(`${server.url}/`) && !url.startsWith('data:')) problems.push(`${page.url()} requested ${url}`)
    })
  }

  async function mailLink (to: string, subject: RegExp, path: string): Promise<string> {
    const mail = await smtp.waitFor(to, subject)
    const match = new RegExp(`${server.url.replaceAll('.', '\\.')}${path}\\?token=[\\w-]{43}`).exec(mail.text)
    assert.ok(match !== null, `a ${path} link under PUBLIC_URL in: ${mail.text}`)
    return match[0]
  }

  async function noticeOf (page: Page): Promise<string> {
    return (await page.locator('[role=status]').textContent())?.trim() ?? ''
  }

  for (const javaScript of [true, false]) {
    it(`every flow end to end, JavaScript ${javaScript ? 'on' : 'off'}`, async () => {
      const context = await newContext(javaScript)
      const page = await context.newPage()
      const email = uniqueEmail(javaScript ? 'js' : 'nojs')

      // Sign up (an empty form first: each field says what it needs), which signs in; the
      // verification link; the button verifies.
      await page.goto(`${server.url}/ui/register`)
      await page.getByRole('button', { name: 'Create account' }).click()
      assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true')
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true')
      assert.deepEqual(await page.locator('.error-summary li').allTextContents(), ['Enter your email address.', 'Enter your password.'])
      assert.equal(await page.evaluate('document.activeElement.id'), 'register-email', 'the first field with an error has the focus')
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password', { exact: true }).fill('short')
      await page.getByRole('button', { name: 'Create account' }).click()
      assert.match(await page.title(), /^There is a problem: Create an account/)
      assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true')
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL(`${server.url}/ui/account?notice=welcome`)
      assert.match(await noticeOf(page), /Welcome! Your account is ready and you are signed in/)
      assert.equal(await page.locator('.badge.warn').textContent(), 'Not verified')
      await page.goto(await mailLink(email, /Confirm your email address/, '/ui/verify_email'))
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Verify your email address')
      await page.getByRole('button', { name: 'Verify my email address' }).click()
      assert.match(await noticeOf(page), new RegExp(`Your email address ${email} is verified`))
      await page.getByRole('link', { name: 'Go to your account' }).click()
      await page.locator('header').getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(/\/ui\/login\?notice=signed_out/)

      // Sign in with the keyboard alone: the email field has the focus, Tab, Enter. (The
      // browser moves the focus to an autofocus field after the load event: wait for it, or
      // the keys of a loaded CI go nowhere.)
      await page.goto(`${server.url}/ui/login`)
      await page.waitForFunction(() => document.activeElement?.id === 'login-email', undefined, { timeout: 5000 })
      await page.keyboard.type(email)
      await page.keyboard.press('Tab')
      await page.keyboard.type(PASSWORD)
      await page.keyboard.press('Enter')
      await page.waitForURL(`${server.url}/ui/account`)
      assert.equal(await page.locator('.badge.ok').first().textContent(), 'Verified')

      // A second device; "sign out everywhere else" ends it.
      const other = await newContext(javaScript)
      const otherPage = await other.newPage()
      await otherPage.goto(`${server.url}/ui/login`)
      await otherPage.getByLabel('Email address').fill(email)
      await otherPage.getByLabel('Password').fill(PASSWORD)
      await otherPage.getByRole('button', { name: 'Sign in', exact: true }).click()
      await otherPage.waitForURL(`${server.url}/ui/account`)
      await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Devices' }).click()
      assert.equal(await page.locator('.sessions > li').count(), 2)
      await page.getByRole('button', { name: 'Sign out everywhere else' }).click()
      assert.match(await noticeOf(page), /Every other device is signed out/)
      assert.equal(await page.locator('.sessions > li').count(), 1)
      await otherPage.reload()
      assert.match(otherPage.url(), /\/ui\/login\?return_to=%2Fui%2Faccount$/)
      await other.close()

      // Change the password (a wrong current one first), then the email.
      await page.getByRole('link', { name: 'Security' }).click()
      const passwordForm = page.locator('form[action="/ui/account/password"]')
      await passwordForm.getByLabel('Current password').fill('not my password')
      await passwordForm.getByLabel('New password').fill('a second long passphrase')
      await passwordForm.getByRole('button', { name: 'Change password' }).click()
      assert.equal(await page.getByLabel('Current password').first().getAttribute('aria-invalid'), 'true')
      assert.match(await page.locator('.error-summary').textContent() ?? '', /Your current password is incorrect/)
      await passwordForm.getByLabel('Current password').fill(PASSWORD)
      await passwordForm.getByLabel('New password').fill('a second long passphrase')
      await passwordForm.getByRole('button', { name: 'Change password' }).click()
      assert.match(await noticeOf(page), /Your password has been changed/)

      const newEmail = uniqueEmail(javaScript ? 'js-new' : 'nojs-new')
      const emailForm = page.locator('form[action="/ui/account/email"]')
      await emailForm.getByLabel('New email address').fill(newEmail)
      await emailForm.getByLabel('Current password').fill('a second long passphrase')
      await emailForm.getByRole('button', { name: 'Send confirmation link' }).click()
      assert.match(await noticeOf(page), /We sent a confirmation link/)
      await page.goto(await mailLink(newEmail, /Confirm your new email address/, '/ui/confirm_email'))
      await page.getByRole('button', { name: 'Confirm this address' }).click()
      assert.match(await noticeOf(page), new RegExp(`is now ${newEmail}`))
      await page.getByRole('link', { name: 'Go to your account' }).click()
      assert.ok((await page.locator('.facts').textContent())?.includes(newEmail))
      await page.getByRole('link', { name: 'Activity' }).click()
      const events = await page.locator('.events').textContent() ?? ''
      for (const event of ['Email address changed', 'Password changed', 'Device signed out', 'Email address verified', 'Signed in']) assert.ok(events.includes(event), `${event} in ${events}`)

      // Sign out, forget the password, reset it from the mail, sign in with the new one.
      await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(/\/ui\/login\?notice=signed_out/)
      assert.equal(await noticeOf(page), 'You are signed out.')
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.getByLabel('Email address').fill(newEmail)
      await page.getByRole('button', { name: 'Send me a reset link' }).click()
      assert.match(await noticeOf(page), /a link to choose a new password is on its way/)
      await page.goto(await mailLink(newEmail, /Reset your password/, '/ui/reset_password'))
      await page.getByLabel('New password').fill('a third long passphrase')
      await page.getByRole('button', { name: 'Set new password' }).click()
      await page.waitForURL(/\/ui\/login\?notice=password_reset/)
      assert.equal(await page.getByLabel('Email address').inputValue(), newEmail, 'the address is filled in')
      await page.getByLabel('Password').fill('a third long passphrase')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.waitForURL(`${server.url}/ui/account`)

      // Sign out this device from the list, sign in again, delete the account.
      await page.getByRole('link', { name: 'Devices' }).click()
      await page.locator('.sessions').getByRole('button', { name: 'Sign out Chrome on Linux (this device)' }).click()
      await page.waitForURL(/\/ui\/login\?notice=signed_out/)
      await page.getByLabel('Email address').fill(newEmail)
      await page.getByLabel('Password').fill('a third long passphrase')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await page.waitForURL(`${server.url}/ui/account`)
      const deleteForm = page.locator('form[action="/ui/account/delete"]')
      await deleteForm.getByLabel('Current password').fill('a third long passphrase')
      await deleteForm.getByRole('button', { name: 'Delete my account' }).click()
      assert.match(await page.locator('.error-summary').textContent() ?? '', /Tick the box to confirm/)
      await deleteForm.getByLabel('Current password').fill('a third long passphrase')
      await deleteForm.getByLabel(/I understand/).check()
      await deleteForm.getByRole('button', { name: 'Delete my account' }).click()
      await page.waitForURL(/\/ui\/login\?notice=account_deleted/)
      await page.getByLabel('Email address').fill(newEmail)
      await page.getByLabel('Password').fill('a third long passphrase')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      assert.match(await page.locator('.error-summary').textContent() ?? '', /Email address or password is incorrect/)
      await context.close()
      assert.deepEqual(problems, [])
    })
  }

  it('two-step verification without JavaScript: set up from a QR code page, recovery codes once, the code step at sign-in', async () => {
    const email = uniqueEmail('totp')
    await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    // A second factor is for a verified address (as its mailed link would have done).
    await server.db.updateTable('users').set({ email_verified_at: Date.now() }).where('email', '=', email).execute()
    const context = await newContext(false)
    const page = await context.newPage()
    await page.goto(`${server.url}/ui/login`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${server.url}/ui/account`)
    await page.getByRole('link', { name: 'Security' }).click()
    const totpForm = page.locator('form[action="/ui/account/totp"]')
    await totpForm.getByLabel('Current password').fill(PASSWORD)
    await totpForm.getByRole('button', { name: 'Set up an authenticator app' }).click()
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Set up an authenticator app')
    assert.equal(await page.locator('figure.qr svg[role=img]').count(), 1, 'the QR code is an SVG rendered on the server')
    const key = (await page.locator('code.secret').textContent() ?? '').replaceAll(' ', '')
    const totp = new TOTP({ secret: Secret.fromBase32(key) })
    assert.equal(await page.getByLabel('6-digit code from the app').getAttribute('autocomplete'), 'one-time-code')
    await page.getByLabel('6-digit code from the app').fill('000000')
    await page.getByRole('button', { name: 'Turn on' }).click()
    assert.match(await page.locator('.error-summary').textContent() ?? '', /That code is not right/)
    assert.equal(await page.getByLabel('6-digit code from the app').getAttribute('aria-invalid'), 'true')
    const now = Date.now()
    await page.getByLabel('6-digit code from the app').fill(totp.generate({ timestamp: now }))
    await page.getByRole('button', { name: 'Turn on' }).click()
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Your recovery codes')
    const codes = await page.locator('ol.codes code').allTextContents()
    assert.equal(codes.length, 10)
    const download = await page.getByRole('link', { name: 'Download the codes' }).getAttribute('href') ?? ''
    assert.ok(decodeURIComponent(download).includes(codes[0] ?? '?'), 'the download holds the codes')
    await page.getByRole('link', { name: 'I have saved them' }).click()
    assert.match(await page.locator('section[aria-labelledby=mfa-title]').textContent() ?? '', /Recovery codes left: 10/)

    // Sign out; the password step, then the code step (a wrong code first), then a recovery code.
    await page.locator('form[action="/ui/logout"]').getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Two-step verification')
    const codeField = page.getByLabel('Code from your authenticator app, or a recovery code')
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code')
    await codeField.fill('123456')
    await page.getByRole('button', { name: 'Verify' }).click()
    assert.match(await page.locator('.error-summary').textContent() ?? '', /That code is not right, or this sign-in has expired/)
    await page.getByLabel('Code from your authenticator app, or a recovery code').fill(codes[0] ?? '')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.waitForURL(`${server.url}/ui/account`)
    await page.getByRole('link', { name: 'Security' }).click()
    assert.match(await page.locator('section[aria-labelledby=mfa-title]').textContent() ?? '', /Recovery codes left: 9/)
    await smtp.waitFor(email, /A recovery code was used/)
    await context.close()
    assert.deepEqual(problems, [])
  })

  /** A verified account with TOTP being turned on in `page`: ends on its recovery codes page. */
  async function toRecoveryCodes (page: Page): Promise<void> {
    const email = uniqueEmail('codes')
    await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    await server.db.updateTable('users').set({ email_verified_at: Date.now() }).where('email', '=', email).execute()
    await page.goto(`${server.url}/ui/login`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${server.url}/ui/account`)
    await page.goto(`${server.url}/ui/account/security`)
    await page.locator('form[action="/ui/account/totp"]').getByRole('button', { name: 'Set up an authenticator app' }).click()
    const key = (await page.locator('code.secret').textContent() ?? '').replaceAll(' ', '')
    await page.getByLabel('6-digit code from the app').fill(new TOTP({ secret: Secret.fromBase32(key) }).generate())
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor()
  }

  type Box = { x: number, y: number, width: number, height: number }
  const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

  it('recovery codes never overlap: monospace, two columns on a desktop, one on a phone, each inside its cell', async () => {
    const context = await newContext(false)
    const page = await context.newPage()
    await toRecoveryCodes(page)
    for (const [width, columns] of [[1280, 2], [390, 1], [320, 1]] as const) {
      await page.setViewportSize({ width, height: 900 })
      // Each code's own text box (its item adds the number before it).
      // (No named functions inside: the test's compiler would add a helper the page lacks.)
      const boxes = await page.locator('ol.codes li').evaluateAll(items => items.map(item => {
        const code = item.querySelector('code') as HTMLElement
        const range = document.createRange()
        range.selectNodeContents(code)
        return {
          item: item.getBoundingClientRect().toJSON() as Box,
          code: code.getBoundingClientRect().toJSON() as Box,
          text: [...range.getClientRects()].map(r => r.toJSON() as Box),
          font: getComputedStyle(code).fontFamily,
          // A marker drawn outside its item is outside its box too (the overlap of before).
          markerOutside: getComputedStyle(item).display === 'list-item' && getComputedStyle(item).listStyleType !== 'none' && getComputedStyle(item).listStylePosition === 'outside'
        }
      }))
      assert.equal(boxes.length, 10)
      for (const [i, a] of boxes.entries()) {
        assert.match(a.font, /mono/i, 'monospace')
        assert.equal(a.markerOutside, false, 'each number is inside its item\'s box')
        for (const text of a.text) assert.ok(text.x >= a.item.x - 0.5 && text.x + text.width <= a.item.x + a.item.width + 0.5, `${width}px: code ${i + 1} stays in its cell`)
        for (const [j, b] of boxes.entries()) if (i < j) assert.ok(!overlap(a.item, b.item) && !overlap(a.code, b.code), `${width}px: codes ${i + 1} and ${j + 1} do not overlap`)
      }
      const main = await page.locator('main').boundingBox()
      assert.ok(main !== null)
      for (const box of boxes) assert.ok(box.item.x >= main.x && box.item.x + box.item.width <= main.x + main.width, `${width}px: inside the page`)
      assert.equal(new Set(boxes.map(box => Math.round(box.item.x))).size, columns, `${width}px: ${columns} column(s)`)
    }
    await context.close()
    assert.deepEqual(problems, [])
  })

  it('on a phone, link-buttons are full width with centred text, like the buttons', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-GB', viewport: { width: 390, height: 844 } })
    context.on('page', watch)
    const page = await context.newPage()
    const measure = async (selector: string): Promise<Array<{ left: number, right: number, width: number, parent: number, align: string }>> =>
      await page.locator(selector).evaluateAll(elements => elements.map(element => {
        const box = element.getBoundingClientRect()
        const parent = element.parentElement as HTMLElement
        const style = getComputedStyle(parent)
        const range = document.createRange()
        range.selectNodeContents(element)
        const text = range.getBoundingClientRect()
        return { left: text.left - box.left, right: box.right - text.right, width: box.width, parent: parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight), align: getComputedStyle(element).textAlign }
      }))
    await page.goto(`${server.url}/ui/verify_email?token=bogus`)
    const dead = await measure('a.button-link')
    await toRecoveryCodes(page)
    const codes = await measure('a.button-link')
    const buttons = await measure('main button')
    await page.goto(`${server.url}/ui/register`)
    buttons.push(...await measure('main button'))
    for (const [i, link] of [...dead, ...codes, ...buttons].entries()) {
      assert.ok(Math.abs(link.width - link.parent) < 1, `#${i}: full width (${link.width} of ${link.parent})`)
      assert.equal(link.align, 'center', `#${i}`)
      assert.ok(Math.abs(link.left - link.right) < 2, `#${i}: text centred (${link.left} | ${link.right})`)
    }
    assert.equal(dead.length + codes.length, 3)
    await context.close()
    assert.deepEqual(problems, [])
  })

  it('the account sections: a navigation and "Sign out" at the top of each, short pages, on a phone and a desktop', async () => {
    const email = uniqueEmail('sections')
    await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    const context = await newContext(false)
    const page = await context.newPage()
    await page.goto(`${server.url}/ui/login`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${server.url}/ui/account`)
    const icon = await page.locator('link[rel=icon]').getAttribute('href') ?? ''
    const favicon = await page.request.get(server.url + icon)
    assert.equal(favicon.headers()['content-type'], 'image/svg+xml')
    for (const [width, height] of [[390, 844], [1280, 800]] as const) {
      await page.setViewportSize({ width, height })
      for (const [name, heading] of [['Profile', 'Profile'], ['Security', 'Security'], ['Devices', 'Signed-in devices'], ['Activity', 'Recent security activity']]) {
        const nav = page.getByRole('navigation', { name: 'Your account' })
        await nav.getByRole('link', { name }).click()
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), heading)
        assert.equal(await nav.getByRole('link', { name }).getAttribute('aria-current'), 'page')
        const signOut = await page.locator('header').getByRole('button', { name: 'Sign out' }).boundingBox()
        assert.ok(signOut !== null && signOut.y + signOut.height <= height, `${width}px ${name}: Sign out in view without scrolling`)
        for (const link of await nav.getByRole('link').all()) {
          const box = await link.boundingBox()
          assert.ok(box !== null && box.x >= 0 && box.x + box.width <= width && box.y + box.height <= height, `${width}px ${name}: every section link in view`)
        }
        const tall = await page.evaluate<number>('document.documentElement.scrollHeight')
        assert.ok(tall < (width === 390 ? 2600 : 1800), `${width}px ${name}: ${tall}px tall`)
        assert.equal(await page.evaluate<number>('document.documentElement.scrollWidth'), width, `${width}px ${name}: no sideways scrolling`)
      }
    }
    await context.close()
    assert.deepEqual(problems, [])
  })

  it('a cross-site form post signs nobody in', async () => {
    const email = uniqueEmail('victim')
    const created = await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    assert.equal(created.status, 200)
    // The attacker's page, on another site (localhost is not 127.0.0.1's site), with a
    // form that posts the attacker's credentials to the login page.
    const attacker: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<!doctype html><form method="post" action="${server.url}/ui/login"><input name="email" value="${email}"><input name="password" value="${PASSWORD}"><input name="_csrf" value="guess"><button>Win a prize</button></form>`)
    })
    await new Promise<void>(resolve => attacker.listen(0, '127.0.0.1', resolve))
    const address = attacker.address()
    assert.ok(address !== null && typeof address === 'object')
    const context = await browser.newContext({ javaScriptEnabled: false })
    try {
      const page = await context.newPage()
      await page.goto(`${server.url}/ui/login`) // the victim has the form-token cookie of the real page
      await page.goto(`http://localhost:${address.port}/`)
      // oxlint-disable-next-line typescript/no-deprecated -- the test reads the navigation's response (the 403), which waitForURL does not give
      const response = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Win a prize' }).click()]).then(([navigation]) => navigation)
      assert.equal(response?.status(), 403)
      assert.match(await page.locator('main').textContent() ?? '', /sent from another site/)
      const cookies = await context.cookies(server.url)
      assert.deepEqual(cookies.filter(cookie => cookie.name === 'session_id'), [])
    } finally {
      await context.close()
      await new Promise(resolve => attacker.close(resolve))
    }
  })

  it('refuses an open redirect and follows a return_to on this origin', async () => {
    const email = uniqueEmail('redirect')
    await fetch(`${server.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) })
    const context = await newContext(true)
    const page = await context.newPage()
    const refused = await page.goto(`${server.url}/ui/login?return_to=${encodeURIComponent('https://evil.example/')}`)
    assert.equal(refused?.status(), 400)
    assert.match(await page.locator('main').textContent() ?? '', /points to a site this service does not trust/)
    assert.equal(await page.locator('form').count(), 0, 'no sign-in form that would lead there')
    await page.goto(`${server.url}/ui/login?return_to=${encodeURIComponent('/ui/account?notice=language_saved')}`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${server.url}/ui/account?notice=language_saved`)
    await context.close()
    assert.deepEqual(problems, [])
  })

  it('speaks French with ?lang=fr, and keeps it from page to page', async () => {
    const context = await newContext(false)
    const page = await context.newPage()
    await page.goto(`${server.url}/ui/login?lang=fr`)
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr')
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Connexion')
    await page.getByRole('link', { name: 'Pas encore de compte ? Créez-en un' }).click()
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Créer un compte')
    await page.getByRole('link', { name: 'English' }).click()
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Create an account')
    const negotiated = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' })
    const french = await negotiated.newPage()
    await french.goto(`${server.url}/ui/forgot_password`)
    assert.equal(await french.getByRole('heading', { level: 1 }).textContent(), 'Mot de passe oublié ?')
    await negotiated.close()
    await context.close()
  })
})
