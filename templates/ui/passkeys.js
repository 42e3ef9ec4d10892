// The passkey ceremonies of the hosted pages, with @simplewebauthn/browser (served from
// this origin as window.SimpleWebAuthnBrowser). The pages work without this script: it
// only reveals the passkey controls, which are hidden until it runs, and runs them.
(function () {
  'use strict'
  var lib = window.SimpleWebAuthnBrowser
  if (!lib || !lib.browserSupportsWebAuthn()) return

  function post (url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw json
        return json
      })
    })
  }

  function fail (box) {
    var message = box.querySelector('[data-passkey-error]')
    message.textContent = box.getAttribute('data-error')
    message.hidden = false
  }

  var login = document.querySelector('[data-passkey-login]')
  if (login) {
    var signIn = function (autofill) {
      return post('/sessions/passkey/options')
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill }) })
        .then(function (response) { return post('/sessions/passkey', { response: response }) })
        .then(function () { window.location.assign(login.getAttribute('data-next')) })
    }
    login.hidden = false
    login.querySelector('button').addEventListener('click', function () {
      signIn(false).catch(function () { fail(login) })
    })
    // Conditional UI: the browser offers its passkeys in the email field's autofill.
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (supported) signIn(true).catch(function () {})
    })
  }

  // Re-authentication with a passkey of this account, before a privileged change.
  var again = document.querySelector('[data-passkey-reauthenticate]')
  if (again) {
    again.hidden = false
    again.querySelector('button').addEventListener('click', function () {
      post('/sessions/passkey/options')
        .then(function (options) { return lib.startAuthentication({ optionsJSON: options }) })
        .then(function (response) { return post('/sessions/reauthenticate', { response: response }) })
        .then(function () { window.location.assign(again.getAttribute('data-next')) })
        .catch(function () { fail(again) })
    })
  }

  var register = document.querySelector('[data-passkey-register]')
  if (register) {
    register.hidden = false
    var noScript = document.querySelector('[data-passkey-noscript]')
    if (noScript) noScript.hidden = true
    register.querySelector('button').addEventListener('click', function () {
      var name = register.querySelector('input').value
      post('/account/passkeys/options')
        .then(function (options) { return lib.startRegistration({ optionsJSON: options }) })
        .then(function (response) { return post('/account/passkeys', { name: name, response: response }) })
        .then(function () { window.location.assign(register.getAttribute('data-next')) })
        .catch(function (error) {
          // A session too old to add a way in: confirm it is you, then come back here.
          if (error && error.code === 'reauthentication_required') window.location.assign(register.getAttribute('data-reauthenticate'))
          else fail(register)
        })
    })
  }
})()
