// Entry point of the bundle: run() handles its own failures, so nothing escapes as a stack trace.
import { run } from './main.js'

await run()
