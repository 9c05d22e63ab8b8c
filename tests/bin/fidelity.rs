//! Writes `docs/FIDELITY.md` from Tamara's OpenAPI file and the table in `tests/fidelity.rs`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let oas: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join(mizan_scenarios::fidelity::OPENAPI),
    )?)?;
    let doc = mizan_scenarios::fidelity::render(&oas);
    let path = root.join(mizan_scenarios::fidelity::DOCUMENT);
    std::fs::write(&path, doc)?;
    println!("wrote {}", path.display());
    Ok(())
}
