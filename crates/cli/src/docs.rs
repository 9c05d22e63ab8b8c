//! The `mizan` man page and shell completions, rendered from the same clap command the binary
//! parses, so they cannot drift from the real flags. `scripts/package` runs
//! `mizan-gen-docs DIR` and installs what it writes.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

/// A file of the docs could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct DocsError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The files [`write_all`] makes, relative to its directory, each with what it is.
pub const FILES: [(&str, &str); 4] = [
    ("mizan.1", "man page"),
    ("completions/mizan.bash", "bash completion"),
    ("completions/_mizan", "zsh completion"),
    ("completions/mizan.fish", "fish completion"),
];

/// Writes the man page (`DIR/mizan.1`, uncompressed) and the bash, zsh and fish completions
/// (`DIR/completions/`) and returns their paths, in the order of [`FILES`].
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, DocsError> {
    let completions = dir.join("completions");
    std::fs::create_dir_all(&completions).map_err(|source| DocsError {
        path: completions.clone(),
        source,
    })?;
    let mut written = Vec::with_capacity(FILES.len());

    let mut page = Vec::new();
    let man_path = dir.join(FILES[0].0);
    clap_mangen::Man::new(crate::command())
        .render(&mut page)
        .and_then(|()| std::fs::write(&man_path, page))
        .map_err(|source| DocsError {
            path: man_path.clone(),
            source,
        })?;
    written.push(man_path);

    for (shell, (file, _)) in [Shell::Bash, Shell::Zsh, Shell::Fish]
        .into_iter()
        .zip(&FILES[1..])
    {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut crate::command(), "mizan", &mut script);
        let path = dir.join(file);
        std::fs::write(&path, script).map_err(|source| DocsError {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
