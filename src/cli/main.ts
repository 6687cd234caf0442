#!/usr/bin/env node
/** The `hubcap` executable: runs the command line and sets the exit code. */
import { setFlagsFromString } from 'node:v8'
import { stopOnInterrupt } from './interrupt.js'
import { main } from './program.js'

/**
 * V8 grows a heap by a factor of up to 4 after a major collection when collecting is cheap, so a long
 * capture's heap held far more garbage than live data. A fixed factor of 2, set before the heap grows,
 * cut the peak RSS of `-w 1` runs at about the same wall time (alternated runs, bench/README.md, sixth
 * session): `analyze` on the 1 GiB mix 348-362 -> 286-300 MiB, with 2 M flows 1970 -> 1128 MiB;
 * `flows` with 2 M flows 733 -> 454 MiB. (With workers the peak is elsewhere and stays.) A
 * `--heap-growing-percent` given to node wins.
 */
const HEAP_GROWING_PERCENT = 100

if (!process.execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
stopOnInterrupt()
process.exitCode = await main(process.argv)
