// What the page knows of the catalog: the service's own, bundled with the script, so the page and
// the service never disagree on a source or an operation.

import { operationName, operationsOf, SOURCE_NAMES, SOURCES } from '../../event/catalog';
import { RECORD_FIELDS } from '../../event/record';

/** Sources in legend order, each with its operations; and the fields of a record, in order. */
export interface PageCatalog {
  sources: {
    source: string;
    name: string;
    kind: 'change' | 'alert';
    operations: { operation: string; name: string }[];
  }[];
  fields: readonly string[];
}

export const CATALOG: PageCatalog = {
  sources: SOURCES.map((source) => ({
    source,
    name: SOURCE_NAMES[source],
    kind: source === 'grafana' ? 'alert' : 'change',
    operations: operationsOf(source).map((operation) => ({ operation, name: operationName(operation) })),
  })),
  fields: RECORD_FIELDS,
};
