import { describe, expect, it } from "vitest";
import { flatten, parseJson, scalarText, JsonSyntaxError } from "./json";

describe("lossless JSON", () => {
  it("keeps numbers as the text they were sent as", () => {
    const node = parseJson('{"amount": 460.00, "big": 12345678901234567890.125, "n": -1e3}');
    const rows = flatten(node).map(([path, v]) => [path, scalarText(v)]);
    expect(rows).toEqual([
      ["amount", "460.00"],
      ["big", "12345678901234567890.125"],
      ["n", "-1e3"],
    ]);
    // What JSON.parse would have shown instead:
    expect(String(JSON.parse("460.00"))).toBe("460");
  });

  it("flattens nested objects and arrays into grid paths", () => {
    const rows = flatten(parseJson('{"items":[{"sku":"A","q":2}],"data":[],"ok":true,"x":null,"s":"a\\"b\\u0041"}'));
    expect(rows.map(([p, v]) => `${p}=${scalarText(v)}`)).toEqual(["items[0].sku=A", "items[0].q=2", "data=", "ok=true", "x=null", 's=a"bA']);
  });

  it("reports where the text stops being JSON", () => {
    expect(() => parseJson('{"a": 1,}')).toThrow(JsonSyntaxError);
    expect(() => parseJson("[1, 2")).toThrow(/expected/);
    expect(() => parseJson("<html>")).toThrow(/position 0/);
    expect(() => parseJson('{"a":1} x')).toThrow(/trailing/);
  });
});
