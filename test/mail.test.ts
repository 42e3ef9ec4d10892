// Every mail through a real SMTP receiver: a text and an HTML part from one template per
// kind and language, in the account's language, with working links, and data escaped in
// the HTML.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { LANGUAGES } from '../src/i18n/languages.js'
import { type MailData, type MailKind, renderMail } from '../src/mail/templates.js'
import { TEST_DIALECT } from './support/database.js'
import { PASSWORD, request, sessionCookie, startServer, type TestServer, uniqueEmail } from './support/server.js'
import { type ReceivedMail, resetLinkOf, type SmtpReceiver, startSmtpReceiver } from './support/smtp.js'

describe(`mail on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let smtp: SmtpReceiver
  before(async () => {
    smtp = await startSmtpReceiver()
    server = await startServer({ SMTP_URL: smtp.url })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  /** Signs up with the given Accept-Language and signs in; returns the session. */
  async function account (email: string, language: string): Promise<string> {
    assert.equal((await request(server, 'POST', '/users', { email, password: PASSWORD }, { headers: { 'accept-language': language } })).status, 200)
    return sessionCookie(await request(server, 'POST', '/sessions', { email, password: PASSWORD }))
  }

  function assertBothParts (mail: ReceivedMail, lang: string): void {
    assert.ok(mail.text.length > 50, 'a text part')
    assert.match(mail.html, new RegExp(`^<!doctype html>\\s*<html lang="${lang}">`), 'an HTML part in the language')
    assert.doesNotMatch(mail.html, /<script|\son\w+=/i, 'no script in a mail')
    // Every paragraph of the text is in the HTML too (modulo escaping).
    for (const paragraph of mail.text.split('\n\n').map(p => p.split('\n')[0] ?? '').filter(p => p.length > 0)) {
      const escaped = paragraph.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
      assert.ok(mail.html.includes(escaped), `HTML has: ${paragraph}`)
    }
  }

  it('the reset mail: both parts, a link that works, English by default', async () => {
    const email = uniqueEmail('mail-reset')
    await account(email, 'en-US,en;q=0.8')
    assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200)
    const mail = await smtp.waitFor(email, /^Reset/)
    assert.equal(mail.subject, 'Reset your password')
    assertBothParts(mail, 'en')
    const link = resetLinkOf(mail)
    assert.ok(link.href.startsWith(server.config.publicUrl))
    assert.ok(mail.html.includes(`href="${link.href.replace(/&/g, '&amp;')}"`), 'the HTML part links to the same place')
    const reset = await request(server, 'PUT', '/reset_password', { email, reset_token: link.searchParams.get('token') ?? '', new_password: 'a brand new passphrase' })
    assert.equal(reset.status, 200, reset.text)
  })

  it('a French account gets its mail in French: reset, password changed, email changed', async () => {
    const email = uniqueEmail('mail-fr')
    const session = await account(email, 'fr-FR,fr;q=0.9')
    assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200)
    const reset = await smtp.waitFor(email, /^Réinitialisez/)
    assert.equal(reset.subject, 'Réinitialisez votre mot de passe')
    assertBothParts(reset, 'fr')
    resetLinkOf(reset)

    smtp.messages.length = 0
    assert.equal((await request(server, 'PUT', '/account/password', { current_password: PASSWORD, new_password: 'un mot de passe tout neuf' }, { session })).status, 200)
    const changed = await smtp.waitFor(email, /mot de passe/)
    assert.equal(changed.subject, 'Le mot de passe de votre compte a été modifié')
    assert.match(changed.text, /le \d{1,2} [a-zéû]+ \d{4} à \d\d:\d\d UTC, depuis l’adresse IP 127\.0\.0\.1/)
    assertBothParts(changed, 'fr')

    smtp.messages.length = 0
    const moved = uniqueEmail('mail-fr-moved')
    const { id } = (await request(server, 'GET', '/profile', undefined, { session })).body as { id: number }
    assert.equal((await request(server, 'PUT', `/users/${id}`, { email: moved }, { session })).status, 200)
    const notice = await smtp.waitFor(email, /adresse e-mail/)
    assert.equal(notice.subject, 'L’adresse e-mail de votre compte a été modifiée')
    assert.ok(notice.text.includes(moved))
    assertBothParts(notice, 'fr')
  })

  it('every other kind in French too: verification, email change (link, notice, taken address), password reset notice', async () => {
    const email = uniqueEmail('mail-fr-all')
    const session = await account(email, 'fr')
    const verification = await smtp.waitFor(email, /^Confirmez votre adresse/)
    assertBothParts(verification, 'fr')
    assert.match(verification.text, /\/ui\/verify_email\?token=/)

    const taken = uniqueEmail('mail-fr-taken')
    await account(taken, 'fr')
    assert.equal((await request(server, 'POST', '/account/email', { new_email: taken, current_password: PASSWORD }, { session })).status, 200)
    assertBothParts(await smtp.waitFor(taken, /^Quelqu’un a essayé/), 'fr')
    const target = uniqueEmail('mail-fr-target')
    assert.equal((await request(server, 'POST', '/account/email', { new_email: target, current_password: PASSWORD }, { session })).status, 200)
    const confirm = await smtp.waitFor(target, /^Confirmez votre nouvelle adresse/)
    assertBothParts(confirm, 'fr')
    assertBothParts(await smtp.waitFor(email, /^Un changement de votre adresse/), 'fr')

    assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200)
    const token = resetLinkOf(await smtp.waitFor(email, /^Réinitialisez/)).searchParams.get('token') ?? ''
    assert.equal((await request(server, 'PUT', '/reset_password', { email, reset_token: token, new_password: 'encore un mot de passe' })).status, 200)
    const notice = await smtp.waitFor(email, /réinitialisé/)
    assertBothParts(notice, 'fr')
    assert.match(notice.text, /127\.0\.0\.1/)
  })

  it('every kind of mail has a template in every language, with a subject of its own', () => {
    const samples: { [K in MailKind]: MailData[K] } = {
      password_reset: { link: 'https://x.test/r', token: 't', minutes: 30 },
      email_verification: { link: 'https://x.test/v', token: 't', hours: 24 },
      email_changed: { oldEmail: 'a@x.test', newEmail: 'b@x.test', when: 'now', ip: null },
      password_changed: { email: 'a@x.test', when: 'now', ip: '127.0.0.1' },
      password_was_reset: { email: 'a@x.test', when: 'now', ip: null, credentialsRemoved: true },
      email_change_confirm: { oldEmail: 'a@x.test', link: 'https://x.test/c', token: 't', minutes: 60 },
      email_change_requested: { oldEmail: 'a@x.test', newEmail: 'b@x.test', when: 'now', ip: null },
      email_change_taken: {},
      totp_enabled: { email: 'a@x.test', when: 'now', ip: null },
      totp_disabled: { email: 'a@x.test', when: 'now', ip: '127.0.0.1' },
      recovery_code_used: { email: 'a@x.test', when: 'now', ip: null, remaining: 9 },
      passkey_added: { email: 'a@x.test', when: 'now', ip: null, name: 'Phone' },
      passkey_removed: { email: 'a@x.test', when: 'now', ip: null, name: 'Phone' },
      mfa_reset: { email: 'a@x.test', when: 'now', ip: null },
      identity_linked: { email: 'a@x.test', when: 'now', ip: null, provider: 'Google' },
      identity_unlinked: { email: 'a@x.test', when: 'now', ip: '127.0.0.1', provider: 'GitHub' }
    }
    for (const kind of Object.keys(samples) as MailKind[]) {
      const subjects = LANGUAGES.map(language => {
        const mail = renderMail(kind, language, samples[kind] as never)
        assert.ok(mail.text.length > 40 && mail.html.includes(`<html lang="${language}">`), `${kind} in ${language}`)
        assert.doesNotMatch(mail.text, /\{\w+\}/, `${kind} in ${language}: every {name} is filled`)
        return mail.subject
      })
      assert.equal(new Set(subjects).size, LANGUAGES.length, `${kind}: translated`)
    }
  })

  it('PUT /account changes the language of the next mail', async () => {
    const email = uniqueEmail('mail-switch')
    const session = await account(email, 'en')
    assert.equal((await request(server, 'PUT', '/account', { language: 'fr' }, { session })).status, 200)
    assert.equal((await request(server, 'POST', '/reset_password', { email })).status, 200)
    assert.equal((await smtp.waitFor(email, /^(Reset|Réinitialisez)/)).subject, 'Réinitialisez votre mot de passe')
  })

  it('data in the HTML part is escaped', async () => {
    const email = `o'brien&co-${process.pid}@example.com`
    const session = await account(email, 'en')
    assert.equal((await request(server, 'PUT', '/account/password', { current_password: PASSWORD, new_password: 'another long passphrase' }, { session })).status, 200)
    const mail = await smtp.waitFor(email, /password/)
    assert.ok(mail.text.includes(email), 'the text part has the address as it is')
    assert.ok(mail.html.includes(`o&#39;brien&amp;co-${process.pid}@example.com`), 'the HTML part has it escaped')
    assert.ok(!mail.html.includes(email))
  })
})
