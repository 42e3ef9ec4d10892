// TEMPORARY until the signing-key store lands: keys made in memory at first use.
import { exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'oidc-provider'
import type { SigningKeySource } from './plugin.js'

export function memoryKeys (): SigningKeySource {
  let made: Promise<JWK[]> | null = null
  const make = async (): Promise<JWK[]> => {
    const rsa = await generateKeyPair('RS256', { extractable: true })
    const ec = await generateKeyPair('ES256', { extractable: true })
    return [{ ...await exportJWK(rsa.privateKey), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...await exportJWK(ec.privateKey), kid: 'ec-1', alg: 'ES256', use: 'sig' }] as JWK[]
  }
  return { current: async () => ({ keys: await (made ??= make()), version: '1' }) }
}
