/**
 * The INI dialect of Python's ConfigParser, as far as nodepool's `secure.conf` used it:
 * `[section]` headers (names may hold spaces and quotes, e.g. `[jenkins "jenkins01"]`),
 * `key = value` or `key: value`, `#` and `;` comment lines, and indented continuation lines.
 * Keys are lower-cased as ConfigParser did. Values are taken literally: a password may
 * contain `;` or `%`.
 */
export interface IniSection {
  name: string;
  /** 1-based line of the header, for messages. */
  line: number;
  values: Map<string, string>;
}

export interface IniFile {
  sections: Map<string, IniSection>;
  /** Never quoting the line, which may hold a secret. */
  problems: { line: number; reason: string }[];
}

export function parseIni(text: string): IniFile {
  const sections = new Map<string, IniSection>();
  const problems: IniFile['problems'] = [];
  let section: IniSection | undefined;
  let lastKey: string | undefined;

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();

    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;

    if (/^\s/.test(raw) && section !== undefined && lastKey !== undefined) {
      const previous = section.values.get(lastKey) ?? '';
      section.values.set(lastKey, previous === '' ? trimmed : `${previous}\n${trimmed}`);
      return;
    }

    const header = /^\[(.+)\]$/.exec(trimmed);
    if (header) {
      const name = (header[1] ?? '').trim();
      if (sections.has(name)) problems.push({ line, reason: `section [${name}] appears twice` });
      section = { name, line, values: new Map() };
      sections.set(name, section);
      lastKey = undefined;
      return;
    }

    const separator = trimmed.search(/[=:]/);
    if (separator <= 0) {
      problems.push({ line, reason: 'expected "[section]" or "key = value"' });
      return;
    }
    if (section === undefined) {
      problems.push({ line, reason: 'option before any [section]' });
      return;
    }

    lastKey = trimmed.slice(0, separator).trim().toLowerCase();
    section.values.set(lastKey, trimmed.slice(separator + 1).trim());
  });

  return { sections, problems };
}
