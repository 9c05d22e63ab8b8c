// Raw gateway payloads in three views: a collapsible tree, a grid of `path → value` rows, and
// the raw text. Numbers are shown as sent (see lib/json.ts), never re-serialised. `marks` (by
// dotted path, as in the grid: `items[0].quantity`, "" for the whole body) colour a node and
// keep it open, so a checker's findings show where they are.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { flatten, parseJson, scalarText, type JsonNode } from "../lib/json";

type View = "tree" | "grid" | "raw";

/** How a node is marked: the worst severity found there, and what to say on hover. */
export type JsonMark = { severity: "error" | "warning" | "info"; title: string };
export type JsonMarks = Record<string, JsonMark>;

const childPath = (parent: string, key: string, array: boolean) =>
  array ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

export function JsonViewer({ text, testId, marks }: { text: string; testId?: string; marks?: JsonMarks }) {
  const { t } = useTranslation();
  const [view, setView] = useState<View>("tree");
  const parsed = useMemo(() => {
    try {
      return { node: parseJson(text), error: null };
    } catch (e) {
      return { node: null, error: e instanceof Error ? e.message : String(e) };
    }
  }, [text]);
  const effective: View = parsed.node ? view : "raw";
  return (
    <div className="json-viewer" data-testid={testId ?? "json-viewer"}>
      <div className="segmented" role="tablist" aria-label={t("json.views")}>
        {(["tree", "grid", "raw"] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={effective === v}
            disabled={!parsed.node && v !== "raw"}
            onClick={() => setView(v)}
          >
            {t(`json.${v}`)}
          </button>
        ))}
        <button type="button" className="ghost" onClick={() => void navigator.clipboard?.writeText(text)}>
          {t("json.copy")}
        </button>
      </div>
      {parsed.error && <p className="muted small">{t("json.notJson", { error: parsed.error })}</p>}
      {effective === "tree" && parsed.node && (
        <ul className="json-tree" dir="ltr" role="tree">
          <TreeNode name={null} path="" node={parsed.node} depth={0} marks={marks} />
        </ul>
      )}
      {effective === "grid" && parsed.node && <Grid node={parsed.node} />}
      {effective === "raw" && (
        <pre className="json-raw" dir="ltr">
          {text}
        </pre>
      )}
    </div>
  );
}

function TreeNode({ name, path, node, depth, marks }: { name: string | null; path: string; node: JsonNode; depth: number; marks?: JsonMarks }) {
  const marked = marks?.[path];
  const openByMark = marks ? Object.keys(marks).some((p) => p !== path && p.startsWith(path)) : false;
  const [open, setOpen] = useState(depth < 3 || openByMark);
  const label = name !== null && <span className="json-key">{name}: </span>;
  const markProps = marked ? { className: `json-mark json-mark-${marked.severity}`, title: marked.title, "data-mark": marked.severity, "data-path": path } : {};
  if (node.type === "object" || node.type === "array") {
    const array = node.type === "array";
    const children: [string, JsonNode][] =
      node.type === "object" ? node.entries : node.items.map((v, i) => [String(i), v] as [string, JsonNode]);
    const summary = node.type === "object" ? `{${children.length}}` : `[${children.length}]`;
    return (
      <li role="treeitem" aria-expanded={open} {...markProps}>
        <button type="button" className="json-toggle" onClick={() => setOpen(!open)} aria-label={open ? "collapse" : "expand"}>
          {open ? "▾" : "▸"}
        </button>
        {label}
        <span className="json-summary">{summary}</span>
        {open && (
          <ul role="group">
            {children.map(([k, v]) => (
              <TreeNode key={k} name={k} path={childPath(path, k, array)} node={v} depth={depth + 1} marks={marks} />
            ))}
          </ul>
        )}
      </li>
    );
  }
  return (
    <li role="treeitem" {...markProps}>
      <span className="json-leaf-pad" />
      {label}
      <Scalar node={node} quoted />
    </li>
  );
}

function Scalar({ node, quoted }: { node: JsonNode; quoted?: boolean }) {
  const text = scalarText(node);
  return <span className={`json-${node.type}`}>{quoted && node.type === "string" ? JSON.stringify(text) : text}</span>;
}

function Grid({ node }: { node: JsonNode }) {
  const { t } = useTranslation();
  const rows = useMemo(() => flatten(node), [node]);
  return (
    <div className="json-grid-wrap" dir="ltr">
      <table className="json-grid">
        <thead>
          <tr>
            <th>{t("json.path")}</th>
            <th>{t("json.value")}</th>
            <th>{t("json.type")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([path, v]) => (
            <tr key={path}>
              <td className="json-key">{path}</td>
              <td>{v.type === "object" ? "{}" : v.type === "array" ? "[]" : <Scalar node={v} />}</td>
              <td className="muted">{v.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
