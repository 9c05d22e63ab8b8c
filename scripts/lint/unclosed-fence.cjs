// markdownlint rule MZ001 (unclosed-fence): a fenced code block must be closed.
//
// CommonMark lets an open fence run to the end of the document, so no built-in rule reports
// it: everything after it silently renders as code. This rule reports the opening fence of
// any fenced block that has no closing fence. Used by .markdownlint-cli2.jsonc.
"use strict";

/** @type {import("markdownlint").Rule} */
module.exports = {
  names: ["MZ001", "unclosed-fence"],
  description: "Fenced code blocks must be closed",
  tags: ["code"],
  parser: "micromark",
  function: (params, onError) => {
    const visit = (tokens) => {
      for (const token of tokens) {
        if (token.type === "codeFenced") {
          const fences = token.children.filter((c) => c.type === "codeFencedFence");
          if (fences.length < 2) {
            onError({
              lineNumber: token.startLine,
              detail: "this fence is never closed; the rest of the document renders as code",
            });
          }
        }
        if (token.children) visit(token.children);
      }
    };
    visit(params.parsers.micromark.tokens);
  },
};
