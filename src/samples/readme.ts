/**
 * samples/README.md, generated from the catalog (`hubcap samples` writes it; a test keeps the
 * committed file equal to this output), so the table cannot drift from the recipes.
 */
import { SAMPLES, type Sample } from './catalog.js'

/** Table cell text: our own descriptions, but a `|` would still split a cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

/** The Markdown table: file, what it shows, which rules it breaks. */
export function samplesReadmeTable(samples: readonly Sample[] = SAMPLES): string {
  const rows = samples.map((s) => {
    const breaks = s.breaks.length > 0 ? s.breaks.map((r) => `\`${r}\``).join(', ') : 'none'
    return `| [${s.file}](${s.file}) ([policy](${s.policyFile})) | ${cell(s.shows)} | ${breaks} |`
  })
  return ['| File | What it shows | Rules it breaks |', '| --- | --- | --- |', ...rows].join('\n') + '\n'
}

export function samplesReadme(samples: readonly Sample[] = SAMPLES): string {
  return `# Sample captures

Built by hubcap's own recipes (src/samples) from its own encoders: documentation address ranges,
no real traffic. Each capture comes with the policy it is judged against; "rules it breaks" are the
rules whose status is \`fail\` when it is analysed with that policy (findings below the default
\`--fail-on high\` still fail their rule, so a sample can break a rule and pass the verdict).

    npx hubcap analyze samples/dvm-reached-from-outside.pcapng -p samples/dvm-reached-from-outside.policy.yaml

\`hubcap samples --out DIR\` rebuilds every file here, this README included; a test checks that the
committed bytes equal a fresh build, and test/e2e/golden holds each sample's report in every format.

${samplesReadmeTable(samples)}`
}
