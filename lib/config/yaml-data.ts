import type { Document, YAMLError } from 'yaml';

/**
 * The yaml library expands aliases while building plain data and refuses, with a bare
 * ReferenceError, a document whose aliases would multiply into a huge tree (the "billion
 * laughs" bomb). Such a file is a bad configuration, not a crash.
 */
export function documentData(document: Document): { data: unknown } | { refused: string } {
  try {
    return { data: document.toJS() };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    if (/excessive alias count/i.test(error.message)) {
      return { refused: 'its aliases (*name) expand to too many nodes; refused as a YAML bomb' };
    }
    return { refused: `YAML error: ${error.message.split('\n')[0] ?? ''}` };
  }
}

/**
 * The reason to report for a YAML error. The parser recurses once per level of nesting and
 * reports running out of stack as a syntax error, which it is not.
 */
export function yamlErrorReason(error: YAMLError, firstLine: (message: string) => string) {
  if (error.code === 'RESOURCE_EXHAUSTION') return 'nested too deeply to read';
  return `YAML syntax error: ${firstLine(error.message)}`;
}
