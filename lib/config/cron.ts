import { CronPattern } from 'croner';

export interface CronCheck {
  /** The spec as croner reads it, or undefined when it is invalid. */
  pattern?: string;
  /** Why the spec is invalid. */
  error?: string;
  /** Something that is valid but may not mean what the operator expects. */
  warning?: string;
}

/**
 * Nodepool split its cron strings into five fields (minute hour day month weekday) and read
 * an optional sixth as seconds, appended at the end. Croner wants seconds first, so a
 * six-field spec is rotated. Nicknames such as `@daily` never worked in nodepool and are
 * refused.
 */
export function checkCronSpec(spec: string): CronCheck {
  const fields = spec.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    const got = `${fields.length} in ${JSON.stringify(spec)}`;
    return { error: `must have 5 fields (or 6 with seconds last), got ${got}` };
  }

  const [minute, hour, day, month, weekday, second] = fields;
  const ordered = [second, minute, hour, day, month, weekday].filter((part) => part !== undefined);
  const pattern = ordered.join(' ');

  try {
    new CronPattern(pattern);
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern:\s*/, '');
    return { error: `is not a valid cron spec: ${reason}, got ${JSON.stringify(spec)}` };
  }

  // Nodepool's scheduler (APScheduler) counted weekdays from Monday = 0, cron and croner from
  // Sunday = 0, so the same digit names a different day.
  if (/\d/.test(weekday ?? '')) {
    return {
      pattern,
      warning: 'numeric weekdays count from Sunday = 0 here; nodepool counted from Monday = 0',
    };
  }
  return { pattern };
}
