//! The core's top-level modules form no cycle: a module below the `Console` facade never
//! reaches back up to it, so each can be read, tested and moved on its own.
//!
//! Read from the sources: a module depends on another when any of its files (outside
//! `#[cfg(test)]` code) names `crate::other` or an item the crate root re-exports from it.

// Reading the crate's own sources cannot fail in a checkout; if it does, the test should stop.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `crate::name` paths in `src`, test code and comments left out.
fn crate_paths(src: &str) -> Vec<String> {
    let code = src.split("#[cfg(test)]").next().unwrap_or_default();
    let mut names = Vec::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// The root's `pub use module::{Item, …};` lines: which module each re-exported item is from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for line in lib.lines().map(str::trim) {
        let Some(rest) = line.strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            items.insert(name.trim().to_owned(), module.to_owned());
        }
    }
    items
}

fn module_graph(src: &Path) -> Graph {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexports = root_reexports(&lib);
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap().map(Result::unwrap) {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = modules.entry(name).or_default();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    let mut graph = Graph::new();
    for (module, files) in &modules {
        let deps = graph.entry(module.clone()).or_default();
        // `x_tests.rs` files are test modules (`#[cfg(test)] #[path = …] mod tests;`).
        let code = files.iter().filter(|f| {
            !f.file_stem()
                .is_some_and(|s| s.to_string_lossy().ends_with("_tests"))
        });
        for file in code {
            for name in crate_paths(&std::fs::read_to_string(file).unwrap()) {
                let target = reexports.get(&name).cloned().unwrap_or(name);
                if &target != module && modules.contains_key(&target) {
                    deps.insert(target);
                }
            }
        }
    }
    graph
}

/// A cycle through `start`, if one exists: the path back to it.
fn cycle_from(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn the_cores_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    assert!(
        graph.contains_key("console") && graph.contains_key("moves"),
        "{graph:?}"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "module cycles in core:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_check_sees_a_cycle_when_there_is_one() {
    let graph: Graph = [
        ("console", &["moves"][..]),
        ("moves", &["store"][..]),
        ("store", &["console"][..]),
    ]
    .into_iter()
    .map(|(m, deps)| (m.to_owned(), deps.iter().map(|d| (*d).to_owned()).collect()))
    .collect();
    assert_eq!(
        cycle_from(&graph, "console").map(|c| c.join(" -> ")),
        Some("console -> moves -> store -> console".to_owned())
    );
    assert_eq!(
        crate_paths("use crate::moves::x; // crate::console\n#[cfg(test)]\nuse crate::store;"),
        vec!["moves".to_owned()]
    );
}

/// The team server's rules (`team`) stay pure and low: the storage and routes that will call
/// them sit above, so `team` may name only the environment (money is the wire crate's).
#[test]
fn the_team_rules_depend_only_on_low_level_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let team = graph.get("team").cloned().unwrap_or_default();
    let allowed: BTreeSet<String> = ["environment".to_owned()].into();
    assert!(
        team.is_subset(&allowed),
        "team depends on {team:?}; allowed: {allowed:?}"
    );
    assert!(graph.contains_key("team"), "{graph:?}");
}
