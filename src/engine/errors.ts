/**
 * The pipeline's own error, in a module of its own: the CLI tests for it on every run, and importing the
 * pipeline only for that would load every decoder before commander has parsed the command line.
 */
import type { Frame } from '../capture/frame.js'

/** The analyzer threw in-process; names the capture and the frame, as a worker failure does. */
export class AnalyzerError extends Error {
  override readonly name = 'AnalyzerError'
  readonly file: string
  readonly frame: number

  constructor(file: string, frame: Frame, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause)
    super(`analyzer failed on ${file} frame ${frame.frameNumber} (record at file byte ${frame.fileOffset}): ${msg}`, { cause })
    this.file = file
    this.frame = frame.frameNumber
  }
}
