// Error classes that decide how a failure is reported: a UserError is the user's to fix
// and is printed as one line without a stack trace.

export class UserError extends Error {
  override name = 'UserError'
}

/** A bad input value. The message names the input and what is allowed. */
export class InputError extends UserError {
  override name = 'InputError'
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input '${input}': ${message}`)
  }
}
