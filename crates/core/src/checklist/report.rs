//! The go-live sign-off report, in Markdown or HTML, from an evaluated [`Checklist`].
//!
//! Invariants: every value from the store is escaped for the output format (HTML entities;
//! Markdown table pipes and line breaks), and the report carries no secret — it is built only
//! from the checklist, which holds ids, amounts, times and notes.

use super::{Checklist, ItemState};
use crate::html::escape as esc;

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
}

impl ReportFormat {
    /// From a file name: `.html`/`.htm` is HTML, anything else Markdown.
    pub fn from_path(path: &std::path::Path) -> ReportFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "html" || e == "htm" => ReportFormat::Html,
            _ => ReportFormat::Markdown,
        }
    }
}

fn state_label(s: ItemState) -> &'static str {
    match s {
        ItemState::Passed => "PASSED",
        ItemState::Pending => "PENDING",
        ItemState::Done => "DONE",
        ItemState::Open => "OPEN",
    }
}

/// One row per item: (section, title with optional marker, state, details).
fn rows(c: &Checklist) -> Vec<(String, String, &'static str, Vec<String>)> {
    c.items
        .iter()
        .map(|i| {
            let mut details: Vec<String> = i
                .evidence
                .iter()
                .map(|e| match e.at {
                    Some(at) => format!("{} at {}", e.summary, at.to_rfc3339()),
                    None => e.summary.clone(),
                })
                .collect();
            if let Some(m) = &i.missing {
                details.push(format!("missing: {m}"));
            }
            if let Some(m) = &i.mark {
                details.push(format!(
                    "{} by {} at {}{}",
                    if m.done { "confirmed" } else { "reopened" },
                    m.by,
                    m.at.to_rfc3339(),
                    m.note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ));
            }
            let title = format!(
                "{}{} (`{}`)",
                i.item.title,
                if i.item.optional { " *" } else { "" },
                i.item.id
            );
            (
                i.item.section.to_owned(),
                title,
                state_label(i.state),
                details,
            )
        })
        .collect()
}

/// Renders the report; `operator` is who generated it.
pub fn render(c: &Checklist, operator: &str, format: ReportFormat) -> String {
    match format {
        ReportFormat::Markdown => markdown(c, operator),
        ReportFormat::Html => html(c, operator),
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(c: &Checklist, operator: &str) -> String {
    let (ok, total) = c.progress();
    let mut out = format!(
        "# Tamara go-live checklist — {}\n\nGenerated {} by {}. Required items complete: \
         {ok} of {total} (`*` = optional).\n",
        c.environment,
        c.generated_at.to_rfc3339(),
        md(operator)
    );
    let mut section = String::new();
    for (sec, title, state, details) in rows(c) {
        if sec != section {
            out.push_str(&format!(
                "\n## {sec}\n\n| Item | State | Evidence / note |\n|---|---|---|\n"
            ));
            section = sec;
        }
        out.push_str(&format!(
            "| {} | {state} | {} |\n",
            md(&title),
            md(&details.join("; "))
        ));
    }
    out.push_str(
        "\n## Sign-off\n\nIntegration developer: ____________________  Date: __________\n\n\
         Merchant finance: ____________________  Date: __________\n",
    );
    out
}

fn html(c: &Checklist, operator: &str) -> String {
    let (ok, total) = c.progress();
    let mut out = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tamara go-live checklist — \
         {env}</title><style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3rem;\
         vertical-align:top;text-align:start}}.PASSED,.DONE{{color:#060}}.PENDING,.OPEN{{color:#a00}}\
         </style></head><body><h1>Tamara go-live checklist — {env}</h1><p>Generated {at} by \
         {op}. Required items complete: {ok} of {total} (* = optional).</p>",
        env = esc(c.environment.as_str()),
        at = esc(&c.generated_at.to_rfc3339()),
        op = esc(operator)
    );
    let mut section = String::new();
    let mut open = false;
    for (sec, title, state, details) in rows(c) {
        if sec != section {
            if open {
                out.push_str("</table>");
            }
            out.push_str(&format!(
                "<h2>{}</h2><table><tr><th>Item</th><th>State</th><th>Evidence / note</th></tr>",
                esc(&sec)
            ));
            section = sec;
            open = true;
        }
        let details: Vec<String> = details.iter().map(|d| esc(d)).collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"{state}\">{state}</td><td>{}</td></tr>",
            esc(&title),
            details.join("<br>")
        ));
    }
    if open {
        out.push_str("</table>");
    }
    out.push_str(
        "<h2>Sign-off</h2><p>Integration developer: ____________________ Date: __________</p>\
         <p>Merchant finance: ____________________ Date: __________</p></body></html>\n",
    );
    out
}
