// Runs in each hashing worker thread (see password-hasher.ts).
import os from 'node:os'
import { hashPasswordSync, verifyPasswordSync, type PasswordCheck } from './passwords.js'

// On Linux a nice value belongs to a thread: this one yields the CPU to the event-loop
// thread, so sign-ins that saturate the hashers do not slow every session check. With
// nothing else to run, it still gets whole cores.
try {
  os.setPriority(10)
} catch {
  // Not permitted here (some containers): hashing still works at normal priority.
}

export type HashTask = { op: 'hash', password: string } | { op: 'verify', stored: string, password: string }

export default function run (task: HashTask): string | PasswordCheck {
  return task.op === 'hash' ? hashPasswordSync(task.password) : verifyPasswordSync(task.stored, task.password)
}
