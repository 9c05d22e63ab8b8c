//! Never replacing a file by surprise: the files an export would write, and a refusal naming
//! those that already exist unless the caller explicitly asked to replace them.

use std::path::{Path, PathBuf};

use super::ExportError;

/// The files an export to `file` writes: the file, and its `NAME.totals.csv` companion when
/// the export writes totals (the settlement).
pub fn targets(file: &Path, with_totals: bool) -> Vec<PathBuf> {
    let mut out = vec![file.to_path_buf()];
    if with_totals {
        out.push(super::totals_path(file));
    }
    out
}

/// Those of `targets` that already exist (as anything: a file, a folder, a link).
pub fn existing(targets: &[PathBuf]) -> Vec<PathBuf> {
    targets
        .iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .cloned()
        .collect()
}

/// Refuses with [`ExportError::FileExists`] when any target exists and `overwrite` is false.
///
/// # Errors
/// [`ExportError::FileExists`] naming every existing target.
pub fn refuse_existing(targets: &[PathBuf], overwrite: bool) -> Result<(), ExportError> {
    let found = existing(targets);
    if overwrite || found.is_empty() {
        return Ok(());
    }
    Err(ExportError::FileExists {
        paths: found.iter().map(|p| p.display().to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settlement_targets_include_the_totals_file() {
        let t = targets(Path::new("/x/day.csv"), true);
        assert_eq!(
            t,
            vec![
                PathBuf::from("/x/day.csv"),
                PathBuf::from("/x/day.totals.csv")
            ]
        );
        assert_eq!(targets(Path::new("/x/day.csv"), false).len(), 1);
    }
}
