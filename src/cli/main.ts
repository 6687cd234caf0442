#!/usr/bin/env node
/** The `hubcap` executable: runs the command line and sets the exit code. */
import { stopOnInterrupt } from './interrupt.js'
import { main } from './program.js'

stopOnInterrupt()
process.exitCode = await main(process.argv)
