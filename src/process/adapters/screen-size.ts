/**
 * The screen size class of an event, as Plausible buckets screen widths (CSS pixels): under 576 `Mobile`, under
 * 992 `Tablet`, under 1440 `Laptop`, else `Desktop`. Only the class is stored, never the width (fewer bits that
 * tell visitors apart), and the column holds these four values or nothing, whatever a client sends.
 */
const CLASSES = ['Mobile', 'Tablet', 'Laptop', 'Desktop'] as const;
const BY_NAME = new Map<string, string>(CLASSES.map((c) => [c.toLowerCase(), c]));

/**
 * A width in pixels (a number, digits, or a `1920x1080` resolution as Umami and Snowplow send it) is bucketed; a
 * class name is kept (any case); anything else is ''.
 */
export function screenSize(value: unknown): string {
  if (typeof value === 'string') {
    const named = BY_NAME.get(value.toLowerCase());
    if (named) return named;
  }
  const digits = typeof value === 'string' ? /^(\d{1,6})(?:x\d{1,6})?$/.exec(value) : null;
  const width = digits ? Number(digits[1]) : value;
  if (typeof width !== 'number' || !Number.isFinite(width) || width <= 0) return '';
  return width < 576 ? 'Mobile' : width < 992 ? 'Tablet' : width < 1440 ? 'Laptop' : 'Desktop';
}
