import { describe, expect, it } from "vitest";
import en from "./en";
import ar from "./ar";
import { SCREENS } from "../app/router";
import { ORDER_STATUSES } from "../features/orders/filters";
import { MOVE_KINDS } from "../features/order-detail/moves";

type Tree = { [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === "string" ? [[prefix + k, v] as [string, string]] : leaves(v, `${prefix}${k}.`)));
}

function lookup(tree: Tree, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object") return undefined;
    node = node[part];
  }
  return typeof node === "string" ? node : undefined;
}

const sources = import.meta.glob(["../**/*.{ts,tsx}", "!../**/*.test.{ts,tsx}", "!../i18n/*.ts", "!../test/**", "!../ipc/mock/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

describe("translations", () => {
  it("has an Arabic string for every English one, and no English left in it", () => {
    // The only strings that are the same in both languages: a key chord and an example path.
    const latinOk = new Set(["nav.shortcut", "exports.pathPlaceholder"]);
    const arKeys = new Map(leaves(ar as Tree));
    for (const [key, value] of leaves(en as Tree)) {
      expect(arKeys.has(key), key).toBe(true);
      if (value === "" || latinOk.has(key)) continue;
      expect(arKeys.get(key), key).toMatch(/[\u0600-\u06ff]/);
    }
    expect(leaves(ar as Tree).length).toBe(leaves(en as Tree).length);
  });

  it("keeps the same placeholders in both languages", () => {
    const arKeys = new Map(leaves(ar as Tree));
    for (const [key, value] of leaves(en as Tree)) {
      const names = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
      expect(names(arKeys.get(key) ?? ""), key).toEqual(names(value));
    }
  });

  it("defines every key the screens ask for", () => {
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*"([a-zA-Z]+(?:\.[a-zA-Z_]+)+)"/g)) used.add(m[1] ?? "");
      for (const m of text.matchAll(/\bt\([^)]*?\?\s*"([a-zA-Z]+(?:\.[a-zA-Z_]+)+)"\s*:\s*"([a-zA-Z]+(?:\.[a-zA-Z_]+)+)"/g)) {
        used.add(m[1] ?? "");
        used.add(m[2] ?? "");
      }
      for (const m of text.matchAll(/header: "([a-z]+(?:\.[a-zA-Z]+)+)"/g)) used.add(m[1] ?? "");
    }
    for (const s of SCREENS) used.add(`nav.${s}`);
    for (const s of ORDER_STATUSES) used.add(`status.${s}`);
    for (const k of MOVE_KINDS) ["actions", "move.title", "move.submit", "move.remaining"].forEach((p) => used.add(`${p}.${k}`));
    expect(used.size).toBeGreaterThan(150);
    const missing = [...used].filter((k) => lookup(en as Tree, k) === undefined || lookup(ar as Tree, k) === undefined);
    expect(missing).toEqual([]);
  });

  it("explains every refusal code of a money move", () => {
    const codes = [
      "move_refused_status", "amount_not_positive", "amount_precision", "amount_currency_mismatch",
      "amount_exceeds_capturable", "amount_exceeds_refundable", "amount_exceeds_cancelable", "nothing_remaining",
      "comment_required", "items_invalid", "items_exceed_amount", "confirmation_required", "confirmation_mismatch",
      "move_in_progress", "move_blocked_unknown", "move_rejected", "move_outcome_unknown",
    ];
    for (const c of codes) {
      expect(lookup(en as Tree, `errors.${c}`), c).toBeDefined();
      expect(lookup(ar as Tree, `errors.${c}`), c).toMatch(/[\u0600-\u06ff]/);
    }
  });
});
