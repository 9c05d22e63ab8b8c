// A small JSON parser for the payload viewer that keeps every number as the text it was sent
// as. `JSON.parse` would turn `460.00` into `460` and `12345678901234567890` into
// `12345678901234567000`: wrong evidence in a payments console.

export type JsonNode =
  | { type: "object"; entries: [string, JsonNode][] }
  | { type: "array"; items: JsonNode[] }
  | { type: "string"; value: string }
  | { type: "number"; raw: string }
  | { type: "boolean"; value: boolean }
  | { type: "null" };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

export function parseJson(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) throw new JsonSyntaxError(`expected '${ch}'`, i);
    i++;
  };
  const string = (): string => {
    expect('"');
    let out = "";
    while (i < text.length) {
      const ch = text[i++] ?? "";
      if (ch === '"') return out;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const esc = text[i++] ?? "";
      if (esc === "u") {
        const hex = text.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError("bad unicode escape", i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
      } else if (esc in ESCAPES) out += ESCAPES[esc];
      else throw new JsonSyntaxError("bad escape", i - 1);
    }
    throw new JsonSyntaxError("unterminated string", i);
  };
  const value = (): JsonNode => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { type: "object", entries };
      }
      for (;;) {
        ws();
        const key = string();
        ws();
        expect(":");
        entries.push([key, value()]);
        ws();
        if (text[i] === ",") i++;
        else {
          expect("}");
          return { type: "object", entries };
        }
      }
    }
    if (ch === "[") {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return { type: "array", items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        else {
          expect("]");
          return { type: "array", items };
        }
      }
    }
    if (ch === '"') return { type: "string", value: string() };
    for (const [word, node] of [
      ["true", { type: "boolean", value: true }],
      ["false", { type: "boolean", value: false }],
      ["null", { type: "null" }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return { type: "number", raw: m[0] };
    }
    throw new JsonSyntaxError("unexpected character", i);
  };
  const root = value();
  ws();
  if (i !== text.length) throw new JsonSyntaxError("trailing characters", i);
  return root;
}

/** A scalar's text as shown in the viewer (strings quoted only in the tree, not the grid). */
export function scalarText(node: JsonNode): string {
  switch (node.type) {
    case "string":
      return node.value;
    case "number":
      return node.raw;
    case "boolean":
      return String(node.value);
    case "null":
      return "null";
    default:
      return "";
  }
}

/** Flattens to `[path, value]` rows for the grid view: `items[0].total_amount.amount`. */
export function flatten(node: JsonNode, path = ""): [string, JsonNode][] {
  if (node.type === "object") {
    if (node.entries.length === 0) return [[path || "$", node]];
    return node.entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k));
  }
  if (node.type === "array") {
    if (node.items.length === 0) return [[path || "$", node]];
    return node.items.flatMap((v, idx) => flatten(v, `${path}[${idx}]`));
  }
  return [[path || "$", node]];
}
