//! `mizan-gen-docs DIR`: writes the `mizan` man page and shell completions into DIR, for the
//! packaging script. Not installed with the package: it is a build tool.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: mizan-gen-docs DIR");
        return ExitCode::from(2);
    };
    match mizan_cli::docs::write_all(dir.as_ref()) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mizan-gen-docs: {e}");
            ExitCode::from(1)
        }
    }
}
