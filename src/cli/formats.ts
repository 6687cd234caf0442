/** The output formats of `analyze` and `flows` (the command line's help names them before a command module loads). */
export const REPORT_FORMATS = ['table', 'json', 'md', 'html'] as const
export const FLOW_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const
export type FlowFormat = (typeof FLOW_FORMATS)[number]
