// The one way text is cut short: to a number of characters, the last one "…".

/** `text` in at most `chars` characters: when longer, the first `chars` − 1 and "…". */
export function cutText(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}
