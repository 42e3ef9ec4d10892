// Fake upstream identity providers for the tests of "sign in with another identity
// provider" (API.md), all on 127.0.0.1, none reaching the internet:
// - startUpstreamOidc: a real OpenID Connect provider (oidc-provider) for Google, Microsoft
//   (`tenant`), Apple (`apple`: its JWT client secret and form_post, upstream-apple.ts;
//   `responseModeFormPost`) or any other (upstream-oidc.ts);
// - startFakeGitHub: GitHub's OAuth 2 endpoints and its /user and /user/emails API
//   (upstream-github.ts);
// - what the browser sees of them: `authorize(url)` on either, formPostFields
//   (upstream-answer.ts).
export { followUpstream, formPostFields, type UpstreamAnswer } from './upstream-answer.js'
export type { AppleClientKey, PresentedSecret } from './upstream-apple.js'
export { startUpstreamOidc, type UpstreamAccount, type UpstreamClient, type UpstreamOidc, type UpstreamOidcOptions } from './upstream-oidc.js'
export { startFakeGitHub, type FakeGitHub, type GitHubAccount, type GitHubEmail } from './upstream-github.js'
