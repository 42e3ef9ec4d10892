// Secrets at rest (TOTP secrets): AES-256-GCM under the newest ENCRYPTION_KEY, a fresh
// 96-bit nonce each time, and the purpose and owner as additional data, so a ciphertext
// moved to another account's row, or used for another purpose, fails to open. The key's
// id is stored beside the ciphertext; an older key in ENCRYPTION_KEY still opens what it
// sealed, so keys can be rotated (new secrets take the new key).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export class SecretBox {
    keys;
    current;
    constructor(config) {
        const [current] = config.keys;
        if (current === undefined)
            throw new Error('no encryption key');
        this.current = current;
        this.keys = new Map(config.keys.map(({ id, key }) => [id, key]));
    }
    seal(plaintext, context) {
        const nonce = randomBytes(NONCE_BYTES);
        const cipher = createCipheriv('aes-256-gcm', this.current.key, nonce);
        cipher.setAAD(Buffer.from(context));
        const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
        return { box: Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString('base64url'), keyId: this.current.id };
    }
    /** The plaintext, or null when the key is gone (not in ENCRYPTION_KEY any more) or the box was tampered with. */
    open(sealed, context) {
        const key = this.keys.get(sealed.keyId);
        if (key === undefined)
            return null;
        const bytes = Buffer.from(sealed.box, 'base64url');
        if (bytes.length <= NONCE_BYTES + TAG_BYTES)
            return null;
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
        try {
            return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
        }
        catch {
            return null; // the tag does not match: tampered, or sealed for another context
        }
    }
}
