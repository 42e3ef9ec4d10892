// `authsvc clients create | list | show | delete`: the client applications of the OpenID
// Connect provider, on the same rules and service graph as the admin API. Text for people,
// or with --json one JSON document on stdout; a confidential client's secret is printed
// once, by create, and never again (only its SHA-256 is stored).
import { parseArgs } from 'node:util'
import { AuthError } from '../auth/errors.js'
import type { Actor } from '../auth/events.js'
import type { AuthContext } from '../auth/context.js'
import type { Config } from '../config.js'
import { listRegisteredClients, registerClient, showRegisteredClient, unregisterClient } from '../features/admin-clients/admin-clients.js'
import { clientDetails } from '../features/admin-clients/client-details.js'
import type { ClientRecord } from '../provider/clients.js'
import { UsageError } from './usage.js'

export const CLIENTS_USAGE = `OpenID Connect client applications (add --json for one JSON document on stdout):
  clients create --name N --redirect-uri URI [--redirect-uri URI …] [--post-logout-redirect-uri URI …]
                 [--backchannel-logout-uri URI] [--public] [--first-party]
                                        Register a client; prints its client_id and, for a confidential
                                        client, its client_secret: shown this once, stored hashed.
                                        --public: no secret, PKCE required (token_endpoint_auth_method none);
                                        --first-party: its users are not asked for consent.
                                        URIs: https; http only on 127.0.0.1, [::1] or localhost and not in
                                        production; a custom scheme (com.example.app:/cb) only with --public
  clients list                          Every client, oldest first
  clients show ID                       One client: its URIs, type and consent (never its secret)
  clients delete ID                     Remove a client: its codes and tokens stop working
Exit codes: 0 done, 1 failed, 2 wrong usage, a URI or name the rules refuse, or no such client.`

export type ClientsCommand =
  | {
    name: 'clients create'
    json: boolean
    clientName: string
    redirectUris: string[]
    postLogoutRedirectUris: string[]
    backchannelLogoutUri: string | null
    public: boolean
    firstParty: boolean
  }
  | { name: 'clients list', json: boolean }
  | { name: 'clients show' | 'clients delete', json: boolean, clientId: string }

const CREATE_OPTIONS = {
  json: { type: 'boolean' },
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  public: { type: 'boolean' },
  'first-party': { type: 'boolean' }
} as const

/** node:util's parseArgs, its refusals as UsageError. */
function parse<T> (read: () => T): T {
  try {
    return read()
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

const JSON_ONLY = { json: { type: 'boolean' } } as const

/** Reads `clients …` (argv[0] is 'clients'); throws UsageError. */
export function parseClientsCommand (argv: readonly string[]): ClientsCommand {
  const [, action, ...args] = argv
  if (action === 'create') {
    const { values, positionals } = parse(() => parseArgs({ args: [...args], options: CREATE_OPTIONS, allowPositionals: true, strict: true }))
    if (positionals.length > 0) throw new UsageError(`clients create takes no arguments besides its options (got ${JSON.stringify(positionals[0])})`)
    if (values.name === undefined) throw new UsageError('clients create needs --name (shown on the consent page)')
    const redirectUris = values['redirect-uri'] ?? []
    if (redirectUris.length === 0) throw new UsageError('clients create needs at least one --redirect-uri')
    return {
      name: 'clients create',
      json: values.json === true,
      clientName: values.name,
      redirectUris,
      postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
      backchannelLogoutUri: values['backchannel-logout-uri'] ?? null,
      public: values.public === true,
      firstParty: values['first-party'] === true
    }
  }
  if (action === 'list') {
    const { values, positionals } = parse(() => parseArgs({ args: [...args], options: JSON_ONLY, allowPositionals: true, strict: true }))
    if (positionals.length > 0) throw new UsageError('clients list takes no arguments besides --json')
    return { name: 'clients list', json: values.json === true }
  }
  if (action === 'show' || action === 'delete') {
    const { values, positionals } = parse(() => parseArgs({ args: [...args], options: JSON_ONLY, allowPositionals: true, strict: true }))
    const [clientId] = positionals
    if (clientId === undefined || positionals.length !== 1) throw new UsageError(`clients ${action} takes one client_id`)
    return { name: `clients ${action}`, json: values.json === true, clientId }
  }
  throw new UsageError(`unknown command: clients ${action ?? ''}`.trim())
}

// The domain names the API's fields; an operator typed the options.
const OPTION_OF_FIELD: Record<string, string> = {
  name: '--name',
  redirect_uris: '--redirect-uri',
  post_logout_redirect_uris: '--post-logout-redirect-uri',
  backchannel_logout_uri: '--backchannel-logout-uri'
}

/** A name or URI the rules refuse is the operator's to correct: wrong usage, exit code 2. */
function asUsageError (error: unknown): unknown {
  if (!(error instanceof AuthError) || error.code !== 'INVALID_FIELD') return error
  const field = error.issue?.field
  const option = field === undefined ? undefined : OPTION_OF_FIELD[field]
  return new UsageError(option === undefined || field === undefined ? error.message : error.message.replace(field, option))
}

const iso = (time: number): string => new Date(time).toISOString()
const kind = (client: ClientRecord): string => client.public ? 'public (PKCE, no secret)' : 'confidential (client_secret_basic, client_secret_post)'
const listed = (uris: readonly string[]): string => uris.length === 0 ? '-' : uris.join(' ')

/** Left-aligned columns under a header, two spaces apart. */
function table (header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => (row[column] ?? '').length)))
  return [header, ...rows].map(row => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')
}

function showText (client: ClientRecord): string {
  return [
    `client_id:                  ${client.clientId}`,
    `name:                       ${JSON.stringify(client.name)}`,
    `type:                       ${kind(client)}`,
    `application type:           ${client.applicationType}`,
    `first party (no consent):   ${client.firstParty ? 'yes' : 'no'}`,
    `redirect URIs:              ${listed(client.redirectUris)}`,
    `post-logout redirect URIs:  ${listed(client.postLogoutRedirectUris)}`,
    `back-channel logout URI:    ${client.backchannelLogoutUri ?? '-'}`,
    `created:                    ${iso(client.createdAt)}`
  ].join('\n')
}

/** Runs the command and returns what to print on stdout. */
export async function runClientsCommand (ctx: AuthContext, config: Pick<Config, 'env'>, command: ClientsCommand, actor: Actor): Promise<string> {
  switch (command.name) {
    case 'clients create': {
      let client
      try {
        client = await registerClient(ctx, config, {
          name: command.clientName,
          redirectUris: command.redirectUris,
          postLogoutRedirectUris: command.postLogoutRedirectUris,
          backchannelLogoutUri: command.backchannelLogoutUri,
          public: command.public,
          firstParty: command.firstParty
        }, actor)
      } catch (error) {
        throw asUsageError(error)
      }
      const secret = client.clientSecret
      if (command.json) return JSON.stringify({ ...clientDetails(client), ...(secret === undefined ? {} : { client_secret: secret }) })
      return [
        `created client ${JSON.stringify(client.name)}: ${kind(client)}`,
        `client_id:      ${client.clientId}`,
        ...(secret === undefined ? [] : [`client_secret:  ${secret}`, 'The secret is shown this once: only its hash is stored. Keep it now.'])
      ].join('\n')
    }
    case 'clients list': {
      const clients = await listRegisteredClients(ctx)
      if (command.json) return JSON.stringify({ clients: clients.map(clientDetails) })
      if (clients.length === 0) return 'no clients'
      return table(['CLIENT_ID', 'NAME', 'TYPE', 'FIRST PARTY', 'CREATED', 'REDIRECT URIS'],
        clients.map(client => [client.clientId, JSON.stringify(client.name), client.public ? 'public' : 'confidential', client.firstParty ? 'yes' : 'no', iso(client.createdAt), listed(client.redirectUris)]))
    }
    case 'clients show': {
      const client = await showRegisteredClient(ctx, command.clientId)
      return command.json ? JSON.stringify(clientDetails(client)) : showText(client)
    }
    case 'clients delete': {
      const client = await unregisterClient(ctx, command.clientId, actor)
      return command.json ? JSON.stringify({ deleted: clientDetails(client) }) : `deleted client ${client.clientId} (${JSON.stringify(client.name)})`
    }
  }
}
