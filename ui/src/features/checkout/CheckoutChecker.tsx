// The checkout payload checker: a developer pastes or drops the shop's `POST /checkout` body and
// sees it as a tree with every finding marked at its node, and the list of findings, before
// anything is sent. The rules are the core's (`mizan_core::checkout`, the same as
// `mizan checkout check`); this screen only draws them. Findings' messages come from the core.
import { useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type CheckoutFinding, type CheckoutSeverity } from "../../ipc";
import { useMarkReady } from "../../app/ready";
import { JsonViewer, type JsonMarks } from "../../components/JsonViewer";
import { ErrorState } from "../../components/States";
import { parseJson, type JsonNode } from "../../lib/json";

const RANK: Record<CheckoutSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Every node's dotted path (`items[0].quantity`; "" is the root), containers included. */
function nodePaths(node: JsonNode, path: string, out: Set<string>): Set<string> {
  out.add(path);
  if (node.type === "object") node.entries.forEach(([k, v]) => nodePaths(v, path ? `${path}.${k}` : k, out));
  if (node.type === "array") node.items.forEach((v, i) => nodePaths(v, `${path}[${i}]`, out));
  return out;
}

/** `items[0].sku` → `items[0]` → `items` → "". */
export function parentPath(path: string): string {
  return path.replace(/(\.[^.[\]]+|\[\d+\]|^[^.[\]]+)$/, "");
}

/**
 * The tree's marks: each finding at its node, or at the nearest node that exists (a missing
 * field is marked on its parent), keeping the worst severity and every message as the title.
 */
export function marksFor(text: string, findings: CheckoutFinding[]): JsonMarks {
  let paths: Set<string>;
  try {
    paths = nodePaths(parseJson(text), "", new Set());
  } catch {
    return {};
  }
  const marks: JsonMarks = {};
  for (const f of findings) {
    let at = f.path;
    while (at && !paths.has(at)) at = parentPath(at);
    const prev = marks[at];
    const line = `${f.code}: ${f.message}`;
    marks[at] = prev
      ? { severity: RANK[f.severity] < RANK[prev.severity] ? f.severity : prev.severity, title: `${prev.title}\n${line}` }
      : { severity: f.severity, title: line };
  }
  return marks;
}

async function readDropped(files: FileList | null): Promise<string | null> {
  const file = files?.[0];
  return file ? file.text() : null;
}

export function CheckoutChecker() {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [dragging, setDragging] = useState(false);
  useMarkReady(true);
  const check = useMutation({ mutationFn: (body: string) => ipc.checkoutCheck(body) });
  const load = (body: string | null) => {
    if (body === null) return;
    setText(body);
    check.mutate(body);
  };
  const report = check.data;
  const checkedText = check.variables ?? "";
  const marks = useMemo(() => (report ? marksFor(checkedText, report.findings) : {}), [report, checkedText]);
  const count = (s: CheckoutSeverity) => report?.findings.filter((f) => f.severity === s).length ?? 0;
  const errors = count("error");

  return (
    <section className="screen" aria-labelledby="checkout-title">
      <header className="screen-header">
        <h1 id="checkout-title">{t("checkout.title")}</h1>
      </header>
      <div className="panel">
        <p className="muted">{t("checkout.explain")}</p>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            check.mutate(text);
          }}
        >
          <textarea
            dir="ltr"
            rows={10}
            className={`mono${dragging ? " drop-target" : ""}`}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              void readDropped(e.dataTransfer.files).then(load);
            }}
            placeholder={t("checkout.placeholder")}
            aria-label={t("checkout.input")}
            data-testid="checkout-input"
            spellCheck={false}
          />
          <div className="checker-actions">
            <button type="submit" className="primary" disabled={!text.trim() || check.isPending} data-testid="checkout-check">
              {t("checkout.check")}
            </button>
            <label>
              {t("checkout.open")}{" "}
              <input
                type="file"
                accept=".json,application/json"
                data-testid="checkout-file"
                onChange={(e) => void readDropped(e.target.files).then(load)}
              />
            </label>
          </div>
        </form>
        {check.error && <ErrorState error={check.error} compact />}
      </div>
      {report && (
        <div className="panel" data-testid="checkout-result" data-ok={errors === 0}>
          <p className={errors === 0 ? "ok-text" : "bad-text"} data-testid="checkout-summary">
            <strong>{errors === 0 ? t("checkout.ok") : t("checkout.errors", { count: errors })}</strong>{" "}
            <span className="muted">
              {t("checkout.counts", { warnings: count("warning"), notes: count("info") })}
            </span>
          </p>
          <p className="muted" data-testid="checkout-convention">
            {report.convention ? t("checkout.convention", { id: report.convention }) : t("checkout.noConvention")}
          </p>
          <JsonViewer text={checkedText} marks={marks} testId="checkout-tree" />
          <h2>{t("checkout.findings")}</h2>
          {report.findings.length === 0 ? (
            <p className="muted">{t("checkout.none")}</p>
          ) : (
            <ul className="findings" data-testid="checkout-findings">
              {report.findings.map((f, i) => (
                <li key={`${f.path}-${f.code}-${i}`} data-severity={f.severity} data-code={f.code} className={`finding finding-${f.severity}`}>
                  <strong>{t(`checkout.severity.${f.severity}`)}</strong>{" "}
                  <code dir="ltr">{f.path || t("checkout.wholeBody")}</code>{" "}
                  <span className="muted mono">{f.code}</span>
                  <div dir="ltr">{f.message}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
