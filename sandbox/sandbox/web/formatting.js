/** Telegram message entities (bold, links, code...) turned into DOM nodes. */

const TAGS = {
  bold: "strong",
  italic: "em",
  underline: "u",
  strikethrough: "s",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  expandable_blockquote: "blockquote",
};

/**
 * `text` with its `entities` applied. Offsets count UTF-16 code units, as JavaScript
 * strings do, so slicing by them is exact.
 */
export function formatted(text, entities = []) {
  const cuts = new Set([0, text.length]);
  for (const entity of entities) cuts.add(entity.offset).add(entity.offset + entity.length);
  const points = [...cuts].sort((a, b) => a - b);
  const outermostLast = [...entities].reverse();
  const fragment = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const entity of outermostLast) {
      if (entity.offset <= start && end <= entity.offset + entity.length) {
        node = wrap(node, entity, text);
      }
    }
    fragment.append(node);
  }
  return fragment;
}

function wrap(node, entity, text) {
  const href = linkOf(entity, text);
  const element = document.createElement(href ? "a" : (TAGS[entity.type] ?? "span"));
  if (href) {
    element.href = href;
    element.target = "_blank";
    element.rel = "noopener noreferrer";
  } else {
    element.className = `entity-${entity.type}`;
  }
  element.append(node);
  return element;
}

function linkOf(entity, text) {
  if (entity.type === "text_link") return /^https?:\/\//i.test(entity.url) ? entity.url : null;
  if (entity.type !== "url") return null;
  const url = text.slice(entity.offset, entity.offset + entity.length);
  return /^https?:\/\//i.test(url) ? url : `https://${url}`;
}
