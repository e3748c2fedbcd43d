export { TinyforgeError, isTinyforgeError } from './errors';
export type { ErrorLocation } from './errors';
export { ERROR_CATALOGUE, ERROR_FAMILIES, errorCatalogueMarkdown, errorFamily, errorInfo } from './error-catalogue';
export type { ErrorCodeInfo, ErrorFamily } from './error-catalogue';
export { replaceDirAtomic, writeFileAtomic, writeFileAtomicWith, writeFilesAtomic } from './atomic-write';
export { escapeHtml, formatTable, printable } from './text';
export type { Column } from './text';
export { ARENA_SERIES, arenaChartSvg, timelineChartSvg } from './timeline-chart';
export type { ArenaBuffer, ChartBox, ChartSeries, TimelineChart } from './timeline-chart';
